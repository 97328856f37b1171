"""Committee dashboard pages (placeholder until built)."""

from django.http import Http404


def home(request):
    raise Http404


def organization(request, pk):
    raise Http404
