"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def star_list(request, **kwargs):
    raise Http404


def star_detail(request, **kwargs):
    raise Http404


def star_decide(request, **kwargs):
    raise Http404


def star_history(request, **kwargs):
    raise Http404
