"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def term_list(request, **kwargs):
    raise Http404


def term_detail(request, **kwargs):
    raise Http404
