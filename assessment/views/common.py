"""What the assessment pages share: the group administrators' gate and list pagination."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from organizations.scope import is_group_administrator

PER_PAGE = 50

View = Callable[..., HttpResponse]


def group_administrator_required(view: View) -> View:
    """Sign-in required; then anyone but a group administrator gets a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_group_administrator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def page_of(request: HttpRequest, queryset: QuerySet) -> Page:
    """The page of `queryset` that ``?page=`` asks for; the paginator turns a garbled or too large
    number into the first or the last page."""
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
