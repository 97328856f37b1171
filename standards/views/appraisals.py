"""Placeholder until this area lands: every page answers 404."""

from django.http import Http404


def appraisal_list(request, **kwargs):
    raise Http404


def appraisal_detail(request, **kwargs):
    raise Http404


def appraisal_approve(request, **kwargs):
    raise Http404


def follow_up_list(request, **kwargs):
    raise Http404


def follow_up_detail(request, **kwargs):
    raise Http404
