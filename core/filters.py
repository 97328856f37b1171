"""Query-string fields every app's FilterSets share: whole numbers a database column can hold.

Beyond 64 bits SQLite raised OverflowError, so a number out of that range is invalid input, never
a query. The API answers invalid input with 400 (`IntegerFilter`); pages treat a garbled id as not
given (`IdFilter`, read by FilterSets that drop invalid values).
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

MAX_INT64 = 2**63 - 1


class Int64Field(forms.IntegerField):
    """A whole number from −2⁶³ to 2⁶³ − 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -MAX_INT64 - 1)
        kwargs.setdefault("max_value", MAX_INT64)
        super().__init__(*args, **kwargs)


class IdField(Int64Field):
    """A database id: a whole number from 1 to 2⁶³ − 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT64)
class IntegerFilter(django_filters.NumberFilter):
    """A number filter that accepts whole numbers only (ids, depths), 64 bits at most."""

    field_class = Int64Field


class IdFilter(django_filters.NumberFilter):
    """An id in a page's query string."""

    field_class = IdField


def read_id(value: object, *, max_value: int = MAX_INT64) -> int | None:
    """An id read from a query string outside a FilterSet, or None for anything garbled."""
    try:
        return IdField(required=False, max_value=max_value).clean(value)
    except ValidationError:
        return None
