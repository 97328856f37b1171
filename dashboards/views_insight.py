"""Insight pages (placeholder until built)."""

from django.http import Http404


def effectiveness(request, pk):
    raise Http404


def explain_score(request, pk):
    raise Http404


def explain_rollup(request, pk):
    raise Http404


def what_if(request, pk):
    raise Http404
