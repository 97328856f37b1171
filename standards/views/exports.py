"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def results_export(request, **kwargs):
    raise Http404
