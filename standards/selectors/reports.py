"""Reads of the secretaries' annual reports: the scoped list, one report's page, and the ratings
other pages show (`rating_of`).

Every read starts from `SecretaryReport.objects.restrict(user, VIEW)`: an organization sees its
own report, the committees above see those of their subtree, and a report outside the scope does
not exist (404). The rating's names and values are the framework's (`standards.config`), read
once per framework version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from assessment.choices import PeriodStatus
from assessment.models import Period
from assessment.scoring.spec.shape import RatingShape, SecretaryReportsShape
from assessment.scoring.text import Text
from organizations.choices import Action
from organizations.models import Organization

from .. import config, ratings
from ..choices import ReportState
from ..models import SecretaryReport, SecretaryReportDocument
from ..services.reports import can_enter, can_rate

__all__ = [
    "ReportRating",
    "document",
    "periods_with_reports",
    "rating_choices",
    "rating_of",
    "report_of",
    "report_page",
    "scoped",
    "visible_reports",
    "with_ratings",
]


@dataclass(frozen=True)
class ReportRating:
    """A confirmed rating of a secretary's report, as dashboards and term reports show it."""

    report_id: int
    code: str
    name: Text
    value: float

    def label(self, lang: str | None = None) -> str:
        return self.name.get(lang or get_language() or "zh-hans")


def _shape_of(cache: dict, period: Period) -> SecretaryReportsShape | None:
    key = period.framework_id
    if key not in cache:
        cache[key] = config.for_period(period).secretary_reports
    return cache[key]


def _name(shape: SecretaryReportsShape | None, code: str) -> RatingShape | None:
    if shape is None or not code:
        return None
    return ratings.rating_named(shape.ratings, code)


def scoped(user, action: str = Action.VIEW) -> QuerySet[SecretaryReport]:
    return SecretaryReport.objects.restrict(user, action)


def visible_reports(
    user,
    *,
    period: int | None = None,
    state: str | None = None,
    organization: int | None = None,
) -> QuerySet[SecretaryReport]:
    """The reports the user may see, newest period first, in tree order; `organization` narrows
    to that organization's subtree (an organization outside the scope gives none)."""
    reports = (
        scoped(user)
        .select_related("period__framework", "organization__kind")
        .annotate(document_count=Count("documents"))
        .order_by("-period__start", "organization__path")
    )
    if period is not None:
        reports = reports.filter(period_id=period)
    if state:
        reports = reports.filter(state=state)
    if organization is not None:
        path = (
            Organization.objects.restrict(user)
            .filter(pk=organization)
            .values_list("path", flat=True)
            .first()
        )
        reports = reports.filter(organization__path__startswith=path) if path else reports.none()
    return reports


def with_ratings(reports: Iterable[SecretaryReport]) -> list[SecretaryReport]:
    """The rows of a list page, each with `proposed` and `confirmed` (`RatingShape` or None)
    read from its framework (no query per row: the framework came with the report)."""
    lang = get_language() or "zh-hans"
    cache: dict = {}
    rows = []
    for report in reports:
        shape = _shape_of(cache, report.period)
        report.proposed = _name(shape, report.proposed_rating)
        rated = report.state == ReportState.RATED
        report.confirmed = _name(shape, report.rating) if rated else None
        report.proposed_label = report.proposed.name.get(lang) if report.proposed else ""
        report.rating_label = report.confirmed.name.get(lang) if report.confirmed else ""
        rows.append(report)
    return rows


def periods_with_reports(user) -> QuerySet[Period]:
    """The periods having reports the user sees, for the list's filter."""
    ids = scoped(user).values("period_id")
    return Period.objects.filter(pk__in=ids).order_by("-start")


def report_of(user, pk: int, action: str = Action.VIEW) -> SecretaryReport:
    """One report in the user's scope, or 404."""
    return get_object_or_404(
        scoped(user, action).select_related("period__framework", "organization__kind", "rated_by"),
        pk=pk,
    )


def document(user, pk: int, document_pk: int) -> SecretaryReportDocument:
    """One document of a report in the user's scope, or 404 (another unit's file is not there)."""
    return get_object_or_404(
        SecretaryReportDocument.objects.restrict(user, Action.VIEW).filter(report_id=pk),
        pk=document_pk,
    )


@dataclass(frozen=True)
class VoteRow:
    kind: str
    name: str
    count: int | None


def report_page(user, report: SecretaryReport) -> dict[str, Any]:
    """What a report's page shows: the votes with their weighed fraction and the proposed rating,
    the documents, the rating, the ratings to choose from and what the user may do."""
    lang = get_language() or "zh-hans"
    shape = config.for_period(report.period).secretary_reports
    votes = report.votes or {}
    proposal = (
        ratings.proposed(votes, shape.votes, shape.ratings)
        if shape is not None and votes
        else ratings.Proposal(None, None)
    )
    confirmed = _name(shape, report.rating) if report.state == ReportState.RATED else None
    open_period = report.period.status == PeriodStatus.OPEN
    entering = can_enter(user, report)
    rating = can_rate(user, report)
    return {
        "report": report,
        "votes": [
            VoteRow(kind, ratings.VOTE_NAMES[kind].get(lang), votes.get(kind))
            for kind in ratings.VOTE_KINDS
        ],
        "voters": ratings.voters(votes),
        "fraction": proposal.fraction,
        "proposed": proposal.rating,
        "proposed_label": proposal.rating.name.get(lang) if proposal.rating else "",
        "confirmed": confirmed,
        "rating_label": confirmed.name.get(lang) if confirmed else "",
        "ratings": rating_choices(report),
        "documents": list(report.documents.select_related("uploaded_by").order_by("uploaded_at")),
        "may_edit": entering and open_period and report.state == ReportState.DRAFT,
        "may_rate": rating and open_period and report.state != ReportState.DRAFT,
    }


def rating_choices(report: SecretaryReport) -> list[RatingShape]:
    """The ratings the committee chooses from: the framework's, best first."""
    shape = config.for_period(report.period).secretary_reports
    return sorted(shape.ratings, key=lambda r: -r.min) if shape is not None else []


def rating_of(organization_ids: Iterable[int], period: Period) -> dict[int, ReportRating]:
    """The confirmed ratings of these organizations' secretaries' reports in a period, for other
    pages (dashboards, term reports): ``{organization id: ReportRating}``.

    Set-based: one query for any number of organizations (the framework's ratings come with the
    period, which the caller loaded with its framework to save a query). Only rated reports
    appear; an organization whose report is not rated yet, or that has none, is absent. The
    caller is responsible for scope: it passes organizations the user may see.
    """
    ids = sorted({int(pk) for pk in organization_ids})
    if not ids:
        return {}
    shape = config.for_period(period).secretary_reports
    if shape is None:
        return {}
    rows = (
        SecretaryReport.objects.filter(
            period=period, organization_id__in=ids, state=ReportState.RATED
        )
        .exclude(rating="")
        .values_list("organization_id", "pk", "rating")
    )
    out: dict[int, ReportRating] = {}
    for organization_id, pk, code in rows:
        rating = ratings.rating_named(shape.ratings, code)
        if rating is not None:
            out[organization_id] = ReportRating(pk, code, rating.name, float(rating.value))
    return out
