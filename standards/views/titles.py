"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def honours(request, **kwargs):
    raise Http404


def title_list(request, **kwargs):
    raise Http404


def title_detail(request, **kwargs):
    raise Http404


def title_decide(request, **kwargs):
    raise Http404


def standard_detail(request, **kwargs):
    raise Http404
