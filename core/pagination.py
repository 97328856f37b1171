"""API pagination: limit/offset with a ceiling, so one request cannot ask for the whole group."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
