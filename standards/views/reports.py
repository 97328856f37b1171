"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def report_list(request, **kwargs):
    raise Http404


def report_detail(request, **kwargs):
    raise Http404


def report_document(request, **kwargs):
    raise Http404


def report_rate(request, **kwargs):
    raise Http404
