"""The filters of the audit trail, shared by the page, the exports and the API.

They narrow a queryset already restricted to the auditor's scope. `within` names an organization
by id and answers nothing when that organization is outside the scope, the same as for an id
that does not exist, so nothing is revealed.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.filters import IntegerFilter
from organizations.choices import Action
from organizations.models import Organization

MAX_OFFSET = datetime.timedelta(hours=14)  # the widest offset in use (Kiribati, UTC+14)


class InstantField(forms.DateTimeField):
    """A date, or a date and time, held as the instant in UTC.

    An offset no place uses is refused (PostgreSQL refused those over 15:59 with a 500), and so
    is an instant outside the calendar once in UTC (SQLite's conversion overflowed).
    """

    def to_python(self, value: object) -> datetime.datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        offset = result.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise ValidationError(
                _("The time zone offset must be between -14:00 and +14:00."), code="offset"
            )
        try:
            return result.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(
                _("Enter a time between the years 1 and 9999."), code="range"
            ) from None


class InstantFilter(django_filters.DateTimeFilter):
    field_class = InstantField


class AuditEntryFilterSet(django_filters.FilterSet):
    within = IntegerFilter(
        method="filter_within",
        label=_("organization"),
        help_text=_("An organization id: entries of its whole subtree."),
    )
    user = django_filters.CharFilter(
        field_name="actor_name",
        lookup_expr="icontains",
        label=_("user"),
        help_text=_("Part of the user name."),
    )
    period = IntegerFilter(field_name="period_id", label=_("period"))
    kind = django_filters.CharFilter(
        method="filter_kind",
        label=_("kind"),
        help_text=_("A kind (value.changed) or a family of kinds (framework)."),
    )
    since = InstantFilter(
        field_name="at",
        lookup_expr="gte",
        label=_("from"),
        help_text=_("A date or a date and time (ISO 8601), included."),
    )
    until = InstantFilter(
        method="filter_until",
        label=_("to"),
        help_text=_("A date (the whole day included) or a date and time (ISO 8601)."),
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("text"),
        help_text=_("Text in the target or the summary."),
    )
    target = django_filters.CharFilter(
        label=_("target"), help_text=_("The exact target, e.g. submission:12.")
    )

    class Meta:
        model = AuditEntry
        fields = ["within", "user", "period", "kind", "since", "until", "q", "target"]

    def filter_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        path = (
            Organization.objects.restrict(self.request.user, Action.AUDIT)
            .filter(pk=value)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=path)

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().rstrip(".")
        return queryset.filter(Q(kind=value) | Q(kind__startswith=f"{value}."))

    def filter_until(self, queryset: QuerySet, name: str, value: datetime.datetime) -> QuerySet:
        raw = (self.data.get(name) or "").strip()
        if len(raw) == len("2026-01-31"):  # a date alone: up to the end of that day
            try:
                return queryset.filter(at__lt=value + datetime.timedelta(days=1))
            except OverflowError:  # the last day of the calendar: no end to it
                return queryset
        return queryset.filter(at__lte=value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(target__icontains=value) | Q(summary__icontains=value))
