"""Factories of the reports app: schedules and finished reports."""

import datetime

import factory
from django.core.files.base import ContentFile

from reports.models import Report, ReportSchedule

from .organizations import OrganizationFactory, UserFactory


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    """A yearly-period schedule run when a period closes, in PDF unless told otherwise."""

    class Meta:
        model = ReportSchedule

    name = factory.Sequence(lambda n: f"schedule {n}")
    organization = factory.SubFactory(OrganizationFactory)
    formats = factory.LazyFunction(lambda: ["pdf"])
    trigger = "period_closed"
    period_kind = "year"


class ReportFactory(factory.django.DjangoModelFactory):
    """A finished CSV report of 2026 with its file stored, as if its task had run."""

    class Meta:
        model = Report

    organization = factory.SubFactory(OrganizationFactory)
    requested_by = factory.SubFactory(UserFactory)
    format = "csv"
    period_kind = "year"
    range_start = datetime.date(2026, 1, 1)
    range_end = datetime.date(2026, 12, 31)
    status = "done"
    progress = 100
    filename = "report.csv"
    file = factory.LazyFunction(lambda: ContentFile(b"a,b\n", name="report.csv"))
    sha256 = "0" * 64
    size = 4
