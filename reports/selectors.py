"""Reads of the reports app: the periods a request covers, what a report shows, the rows its
spreadsheets stream, and the lists of the pages.

`report_data` gathers everything a report shows about one organization in a bounded number of
queries whatever the size of its subtree (about twenty): the organization's own roll-up rows,
its direct children's, the peer and sibling counts, the subtree's indicator results, its
rectifications, the appendix of approvals, its terms and the effectiveness analysis of its
year. The large tables (every value, every workflow step) are not in it: `value_rows` and
`approval_rows` stream them with server-side cursors for the spreadsheets, never one ORM object
per row.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from assessment.choices import PeriodKind, PeriodStatus, SubmissionState
from assessment.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Period,
    Rollup,
    SubjectScore,
    Submission,
    Transition,
)
from business.selectors.effectiveness import as_data, effectiveness_of
from organizations.models import Organization, bilingual_name
from organizations.scope import scope_prefixes
from rectification.models import Rectification
from standards.selectors.terms import term_report

from .choices import ReportStatus
from .models import Report, ReportDelivery, ReportSchedule

COUNTED = (SubmissionState.APPROVED, SubmissionState.LOCKED)
INDICATORS_SHOWN = 5
RECTIFICATIONS_SHOWN = 200
APPROVALS_SHOWN = 300
CHUNK = 5000
LIST_SIZE = 50


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def periods_in_range(kind: str, start: datetime.date, end: datetime.date) -> QuerySet[Period]:
    """Periods of the kind that lie wholly inside the range and have been opened."""
    return (
        Period.objects.filter(kind=kind, start__gte=start, end__lte=end)
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("start")
    )


def report_periods(report: Report) -> list[Period]:
    return list(
        Period.objects.filter(pk__in=report.period_ids)
        .select_related("framework")
        .order_by("start")
    )


def framework_versions(periods: list[Period]) -> str:
    seen = dict.fromkeys(f"{p.framework.code} {p.framework.version}" for p in periods)
    return ", ".join(seen)


def canonical_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the data as canonical JSON (sorted keys, no spaces): what the footer prints."""
    import hashlib

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- what a report shows ------------------------------------------------------------------------


def report_data(report: Report) -> dict[str, Any]:
    """Everything the report shows, as plain JSON-able data, in the active language."""
    org = Organization.objects.select_related("kind", "parent").get(pk=report.organization_id)
    periods = report_periods(report)
    period_ids = [p.pk for p in periods]
    framework_ids = sorted({p.framework_id for p in periods})
    dimensions = _dimensions(framework_ids)
    indicator_names = _indicator_names(framework_ids)

    own = _rollups(Rollup.objects.filter(period_id__in=period_ids, organization=org))
    children = list(
        Organization.objects.filter(parent=org, is_active=True)
        .select_related("kind")
        .order_by("code")
    )
    child_rows = _rollups(
        Rollup.objects.filter(period_id__in=period_ids, organization__parent=org),
        by_organization=True,
    )
    peers = _peer_counts(org, period_ids)
    siblings = _sibling_counts(org, period_ids)

    summary = []
    for period in periods:
        total = own.get(period.pk, {}).get("", {})
        summary.append(
            {
                **total,
                "period": period.pk,
                "siblings": siblings.get(period.pk),
                "peers": peers.get(period.pk),
            }
        )
    dimension_table = [
        {
            **dim,
            "scores": [own.get(p.pk, {}).get(dim["code"], {}).get("score") for p in periods],
        }
        for dim in dimensions
    ]
    top_codes = [d["code"] for d in dimensions if d["depth"] == 0]
    child_sections = []
    for child in children:
        rows = child_rows.get(child.pk, {})
        child_sections.append(
            {
                "id": child.pk,
                "code": child.code,
                "name": bilingual_name(child.name, child.name_en),
                "kind": bilingual_name(child.kind.name, child.kind.name_en),
                "totals": [{**rows.get(p.pk, {}).get("", {}), "period": p.pk} for p in periods],
                "dimensions": [
                    {
                        "code": code,
                        "scores": [rows.get(p.pk, {}).get(code, {}).get("score") for p in periods],
                    }
                    for code in top_codes
                ],
            }
        )
    indicators = _indicator_results(org, period_ids, indicator_names)
    return {
        "organization": {
            "id": org.pk,
            "code": org.code,
            "name": bilingual_name(org.name, org.name_en),
            "kind": bilingual_name(org.kind.name, org.kind.name_en),
            "parent": bilingual_name(org.parent.name, org.parent.name_en) if org.parent else "",
        },
        "format": report.format,
        "language": report.language,
        "period_kind": report.period_kind,
        "range": [report.range_start.isoformat(), report.range_end.isoformat()],
        "frameworks": framework_versions(periods),
        "periods": [
            {
                "id": p.pk,
                "name": bilingual_name(p.name, p.name_en),
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "status": p.status,
                "framework": f"{p.framework.code} {p.framework.version}",
                "total_points": p.framework.total_points,
            }
            for p in periods
        ],
        "summary": summary,
        "dimensions": dimension_table,
        "children": child_sections,
        "indicators": indicators,
        "rectifications": _rectifications(org, period_ids, indicator_names),
        "approvals": _approvals(org, period_ids),
        # The organization's terms, its results per period (secretary's rating, titles, stars)
        # and, for the group, its record (issue 15).
        "terms": term_report(org, periods),
        # Party building against business results in the report's last year (issue 16).
        "effectiveness": _effectiveness(org, periods),
    }


def effectiveness_period(periods: list[Period]) -> Period | None:
    """The annual period the report's effectiveness section reads: the latest annual one among
    the report's periods; when they are not annual, the annual period of the last one's framework
    code and year (one query), if it has been opened; else None."""
    annual = [p for p in periods if p.kind == PeriodKind.YEAR]
    if annual:
        return max(annual, key=lambda p: p.start)
    if not periods:
        return None
    last = periods[-1]
    return (
        Period.objects.filter(
            kind=PeriodKind.YEAR,
            framework__code=last.framework.code,
            start__year=last.start.year,
        )
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "-pk")
        .first()
    )


def _effectiveness(org: Organization, periods: list[Period]) -> dict[str, Any] | None:
    """The effectiveness analysis of the organization in the report's year, as the API gives it
    but without the units (one row per unit: the page's table, too long for a report); None
    without an annual period. A fixed number of queries (`effectiveness_of`'s six at most).

    ``user=None``: the report's organization was checked against its requester's scope when
    the report was requested, and everything here hangs below it."""
    period = effectiveness_period(periods)
    if period is None:
        return None
    data = as_data(effectiveness_of(None, org, period, "en" if _english() else "zh"))
    data.pop("units")
    return data


ROLLUP_COLUMNS = (
    "score",
    "grade",
    "stars",
    "rank_siblings",
    "rank_peers",
    "change",
    "completeness",
    "expected",
    "approved",
    "flagged",
)


def _rollups(rows: QuerySet[Rollup], *, by_organization: bool = False) -> dict:
    """Roll-up rows as {period: {dimension: {...}}}, or keyed by organization first."""
    out: dict = defaultdict(lambda: defaultdict(dict))
    for org_id, period_id, dim, *values in rows.order_by().values_list(
        "organization_id", "period_id", "dimension", *ROLLUP_COLUMNS
    ):
        entry = dict(zip(ROLLUP_COLUMNS, values, strict=True))
        if by_organization:
            out[org_id][period_id][dim] = entry
        else:
            out[period_id][dim] = entry
    return out


def _peer_counts(org: Organization, period_ids: list[int]) -> dict[int, int]:
    """Organizations ranked with it among peers (same root, kind and depth), per period."""
    root = org.path.split("/")[1]
    rows = (
        Rollup.objects.filter(
            period_id__in=period_ids,
            dimension="",
            score__isnull=False,
            organization__kind_id=org.kind_id,
            organization__depth=org.depth,
            organization__path__startswith=f"/{root}/",
        )
        .order_by()
        .values("period_id")
        .annotate(n=Count("id"))
    )
    return {row["period_id"]: row["n"] for row in rows}


def _sibling_counts(org: Organization, period_ids: list[int]) -> dict[int, int]:
    """How many organizations were ranked with it per period (for a root: the roots)."""
    rows = (
        Rollup.objects.filter(
            period_id__in=period_ids,
            dimension="",
            score__isnull=False,
            organization__parent_id=org.parent_id,
        )
        .order_by()
        .values("period_id")
        .annotate(n=Count("id"))
    )
    return {row["period_id"]: row["n"] for row in rows}


def _dimensions(framework_ids: list[int]) -> list[dict[str, Any]]:
    """The dimensions of the periods' frameworks in tree order; a later version's names win."""
    out: dict[str, dict[str, Any]] = {}
    rows = (
        Dimension.objects.filter(framework_id__in=framework_ids)
        .order_by("framework_id", "axis__position", "position")
        .values_list("code", "name", "name_en", "depth", "axis__name", "axis__name_en")
    )
    for code, name, name_en, depth, axis, axis_en in rows:
        out[code] = {
            "code": code,
            "name": bilingual_name(name, name_en),
            "depth": depth,
            "axis": bilingual_name(axis, axis_en),
        }
    return list(out.values())


def _indicator_names(framework_ids: list[int]) -> dict[str, str]:
    rows = (
        Indicator.objects.filter(framework_id__in=framework_ids)
        .order_by("framework_id", "position")
        .values_list("code", "name", "name_en")
    )
    return {code: bilingual_name(name, name_en) for code, name, name_en in rows}


def _indicator_results(
    org: Organization, period_ids: list[int], names: dict[str, str]
) -> dict[str, Any]:
    """Each indicator's share of its maximum over the subtree's scores; strongest and weakest.

    The subject scores pack their indicators in JSON, so this reads one row per subject (10,000
    for a group's period) and sums in Python.
    """
    points: dict[str, float] = defaultdict(float)
    maxima: dict[str, float] = defaultdict(float)
    scored: dict[str, int] = defaultdict(int)
    rectify: dict[str, int] = defaultdict(int)
    rows = (
        SubjectScore.objects.filter(
            period_id__in=period_ids, organization__path__startswith=org.path
        )
        .order_by()
        .values_list("indicators", flat=True)
    )
    for packed in rows.iterator(chunk_size=2000):
        for code, (pts, mx, _fraction, status, to_rectify, _triggered) in packed.items():
            if status != SubjectScore.Status.SCORED or not mx:
                continue
            points[code] += pts
            maxima[code] += mx
            scored[code] += 1
            rectify[code] += int(bool(to_rectify))
    results = [
        {
            "code": code,
            "name": names.get(code, code),
            "share": round(points[code] / maxima[code], 4),
            "subjects": scored[code],
            "rectify": rectify[code],
        }
        for code in maxima
        if maxima[code] > 0
    ]
    results.sort(key=lambda item: (-item["share"], item["code"]))
    weakest = sorted(results, key=lambda item: (item["share"], item["code"]))
    return {
        "count": len(results),
        "strongest": results[:INDICATORS_SHOWN],
        "weakest": weakest[:INDICATORS_SHOWN],
    }


def _rectifications(
    org: Organization, period_ids: list[int], names: dict[str, str]
) -> dict[str, Any]:
    rows = Rectification.objects.within(org).filter(period_id__in=period_ids)
    today = timezone.localdate()
    counts = dict(rows.order_by().values_list("state").annotate(n=Count("id")))
    overdue = rows.exclude(state="closed").filter(due_date__lt=today).count()
    state_names = dict(Rectification._meta.get_field("state").choices)
    items = [
        {
            "organization": bilingual_name(name, name_en),
            "code": org_code,
            "period": period_id,
            "indicator": code,
            "indicator_name": names.get(code, code),
            "state": str(state_names.get(state, state)),
            "closed": state == "closed",
            "due": due.isoformat(),
            "overdue": state != "closed" and due < today,
        }
        for name, name_en, org_code, period_id, code, state, due in rows.order_by(
            "organization__path", "period__start", "indicator_code"
        ).values_list(
            "organization__name",
            "organization__name_en",
            "organization__code",
            "period_id",
            "indicator_code",
            "state",
            "due_date",
        )[:RECTIFICATIONS_SHOWN]
    ]
    return {
        "counts": {str(state_names.get(k, k)): v for k, v in sorted(counts.items())},
        "overdue": overdue,
        "items": items,
        "total": sum(counts.values()),
    }


def _approvals(org: Organization, period_ids: list[int]) -> dict[str, Any]:
    """Who submitted and who approved each counted submission, and when (the first ones)."""
    submissions = Submission.objects.filter(
        period_id__in=period_ids, organization__path__startswith=org.path, state__in=COUNTED
    )
    total = submissions.count()
    shown = list(
        submissions.order_by("organization__path", "period__start", "subject_name").values_list(
            "pk", "period_id", "organization__code", "subject_name"
        )[:APPROVALS_SHOWN]
    )
    steps: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for submission, to_state, username, first, last, at in (
        Transition.objects.filter(
            submission_id__in=[row[0] for row in shown],
            to_state__in=[SubmissionState.SUBMITTED, SubmissionState.APPROVED],
        )
        .order_by("submission_id", "at", "id")
        .values_list(
            "submission_id", "to_state", "by__username", "by__first_name", "by__last_name", "at"
        )
    ):
        who = f"{last}{first}".strip() or username
        steps[submission][to_state] = (who, _local(at))  # the latest of each kind wins
    rows = []
    for pk, period_id, code, subject in shown:
        submitted = steps[pk].get(SubmissionState.SUBMITTED, ("", ""))
        approved = steps[pk].get(SubmissionState.APPROVED, ("", ""))
        rows.append(
            {
                "period": period_id,
                "organization": code,
                "subject": subject,
                "submitted_by": submitted[0],
                "submitted_at": submitted[1],
                "approved_by": approved[0],
                "approved_at": approved[1],
            }
        )
    return {"total": total, "rows": rows}


# -- streamed rows of the spreadsheets ----------------------------------------------------------


def _lookups(report: Report) -> tuple[dict, dict, dict]:
    """Names of the periods, organizations and indicators the rows refer to, read once."""
    org = report.organization
    periods = {p.pk: bilingual_name(p.name, p.name_en) for p in report_periods(report)}
    orgs = {
        pk: (code, bilingual_name(name, name_en))
        for pk, code, name, name_en in Organization.objects.filter(
            path__startswith=org.path
        ).values_list("pk", "code", "name", "name_en")
    }
    framework_ids = Period.objects.filter(pk__in=report.period_ids).values("framework_id")
    indicators = {
        pk: (code, bilingual_name(name, name_en), unit if not _english() else unit_en or unit)
        for pk, code, name, name_en, unit, unit_en in Indicator.objects.filter(
            framework_id__in=framework_ids
        ).values_list("pk", "code", "name", "name_en", "unit", "unit_en")
    }
    return periods, orgs, indicators


def _counted_values(report: Report) -> QuerySet:
    return IndicatorValue.objects.filter(
        submission__period_id__in=report.period_ids,
        submission__organization__path__startswith=report.organization.path,
        submission__state__in=COUNTED,
    )


def value_count(report: Report) -> int:
    return _counted_values(report).count()


VALUE_HEADERS = (
    "period",
    "organization_code",
    "organization",
    "subject",
    "subject_kind",
    "indicator_code",
    "indicator",
    "unit",
    "value",
    "reviewed_value",
    "value_scored",
    "review_reason",
    "updated_at",
)


def value_rows(report: Report) -> Iterator[tuple]:
    """Every value of the counted submissions in the subtree: one tuple per value, streamed.

    Values are JSON: numbers and booleans stay as they are, anything else (appraisal votes)
    becomes its JSON text.
    """
    periods, orgs, indicators = _lookups(report)
    rows = (
        _counted_values(report)
        .order_by("submission_id", "indicator_id")
        .values_list(
            "submission_id",
            "indicator_id",
            "submission__period_id",
            "submission__organization_id",
            "submission__subject_name",
            "submission__subject_kind",
            "value",
            "reviewed_value",
            "review_reason",
            "updated_at",
        )
    )
    # The time zone read once, and a submission's values mostly saved at one moment: the time as
    # text made once for a run of equal moments (it was a third of the reading, issue 19).
    zone = timezone.get_current_timezone()
    moment, moment_text = None, ""
    for (
        _submission_id,
        indicator_id,
        period_id,
        org_id,
        subject,
        kind,
        value,
        reviewed,
        reason,
        updated,
    ) in _stream(rows):
        if updated != moment:
            moment = updated
            moment_text = (
                timezone.localtime(updated, zone).strftime("%Y-%m-%d %H:%M") if updated else ""
            )
        org_code, org_name = orgs.get(org_id, ("", ""))
        code, name, unit = indicators.get(indicator_id, ("", "", ""))
        scored = reviewed if reviewed is not None else value
        yield (
            periods.get(period_id, ""),
            org_code,
            org_name,
            subject,
            kind,
            code,
            name,
            unit,
            _plain(value),
            _plain(reviewed),
            _plain(scored),
            reason,
            moment_text,
        )


def _stream(rows: QuerySet) -> Iterator[tuple]:
    """Rows of a values list that starts with (submission_id, indicator_id), in that order.

    PostgreSQL streams them through one server-side cursor. SQLite would keep a read open on the
    connection for the whole stream, and the job's own progress writes between rows then fail with
    "database is locked" as soon as another process has written; there each page is read whole,
    the next one starting after the last key read.
    """
    if connection.vendor != "sqlite":
        yield from rows.iterator(chunk_size=CHUNK)
        return
    page = list(rows[:CHUNK])
    while page:
        yield from page
        submission_id, indicator_id = page[-1][:2]
        page = list(
            rows.filter(
                Q(submission_id__gt=submission_id)
                | Q(submission_id=submission_id, indicator_id__gt=indicator_id)
            )[:CHUNK]
        )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


APPROVAL_HEADERS = (
    "period",
    "organization_code",
    "organization",
    "subject",
    "from_state",
    "to_state",
    "by",
    "at",
    "reason",
)


def approval_rows(report: Report) -> Iterator[tuple]:
    """Every workflow step of the subtree's submissions in the periods, streamed."""
    periods, orgs, _indicators = _lookups(report)
    states = dict(SubmissionState.choices)
    rows = (
        Transition.objects.filter(
            submission__period_id__in=report.period_ids,
            submission__organization__path__startswith=report.organization.path,
        )
        .order_by("submission_id", "at", "id")
        .values_list(
            "submission__period_id",
            "submission__organization_id",
            "submission__subject_name",
            "from_state",
            "to_state",
            "by__username",
            "at",
            "reason",
        )
    )
    for period_id, org_id, subject, before, after, by, at, reason in rows.iterator(
        chunk_size=CHUNK
    ):
        org_code, org_name = orgs.get(org_id, ("", ""))
        yield (
            periods.get(period_id, ""),
            org_code,
            org_name,
            subject,
            str(states.get(before, before)),
            str(states.get(after, after)),
            by,
            _local(at),
            reason,
        )


RECTIFICATION_HEADERS = (
    "period",
    "organization_code",
    "organization",
    "indicator_code",
    "indicator",
    "state",
    "owner",
    "due_date",
    "overdue",
    "plan",
    "closing_note",
)


def rectification_rows(report: Report) -> Iterator[tuple]:
    periods, orgs, indicators = _lookups(report)
    by_code = {code: name for code, name, _unit in indicators.values()}
    states = dict(Rectification._meta.get_field("state").choices)
    today = timezone.localdate()
    rows = (
        Rectification.objects.filter(
            period_id__in=report.period_ids,
            organization__path__startswith=report.organization.path,
        )
        .order_by("organization__path", "period__start", "indicator_code")
        .values_list(
            "period_id",
            "organization_id",
            "indicator_code",
            "state",
            "owner__username",
            "due_date",
            "plan",
            "closing_note",
        )
    )
    for period_id, org_id, code, state, owner, due, plan, note in rows.iterator(chunk_size=CHUNK):
        org_code, org_name = orgs.get(org_id, ("", ""))
        yield (
            periods.get(period_id, ""),
            org_code,
            org_name,
            code,
            by_code.get(code, code),
            str(states.get(state, state)),
            owner or "",
            due,
            state != "closed" and due < today,
            plan,
            note,
        )


# -- pages --------------------------------------------------------------------------------------


def reports_for(user) -> QuerySet[Report]:
    """The user's own reports and the scheduled ones, within the user's scope, newest first."""
    return (
        Report.objects.restrict(user)
        .filter(Q(requested_by=user) | Q(schedule__isnull=False))
        .select_related("organization", "requested_by", "schedule")
    )


def deliveries_for(user) -> QuerySet[ReportDelivery]:
    return (
        ReportDelivery.objects.restrict(user)
        .filter(recipient=user, report__status=ReportStatus.DONE)
        .select_related("report__organization", "report__schedule")
    )


def schedules_for(user) -> QuerySet[ReportSchedule]:
    return (
        ReportSchedule.objects.restrict(user, "manage")
        .select_related("organization", "created_by")
        .annotate(report_count=Count("reports"))
    )


def may_schedule(user) -> bool:
    """Administrators (of any subtree) manage the schedules of their subtree."""
    prefixes = scope_prefixes(user, "manage")
    return prefixes is None or bool(prefixes)


def choosable_organizations(user, action: str = "view") -> QuerySet[Organization]:
    """The active organizations in scope a report or a schedule may be for."""
    return Organization.objects.restrict(user, action).filter(is_active=True).select_related("kind")


def organizations_for_choice(
    user,
    matching: QuerySet[Organization] | None = None,
    *,
    action: str = "view",
    limit: int = LIST_SIZE,
) -> list[Organization]:
    """Organizations in scope to choose from: those `matching` a search (a narrowing of
    `choosable_organizations`), or else the top of the scope and the level below."""
    qs = matching
    if qs is None:
        qs = choosable_organizations(user, action)
        prefixes = scope_prefixes(user, action)
        if prefixes is None:
            qs = qs.filter(depth__lte=1)
        else:
            depths = [p.count("/") - 2 for p in prefixes]
            qs = qs.filter(depth__lte=min(depths) + 1) if depths else qs.none()
    return list(qs.order_by("depth", "path")[:limit])


@dataclass
class Verification:
    """What the verify page found for a file (or a typed hash): the snapshots whose file has
    this SHA-256, and those whose data has it (a hash read off a printed page)."""

    digest: str
    name: str
    file_matches: list[Report]
    data_matches: list[Report]


def verify(user, *, upload=None, digest: str = "") -> Verification:
    """Look an uploaded file (hashed as it streams in) or a SHA-256 up among the user's
    snapshots."""
    if upload is not None:
        hasher = hashlib.sha256()
        for chunk in upload.chunks():
            hasher.update(chunk)
        digest = hasher.hexdigest()
    matches = find_snapshots(user, digest)
    return Verification(
        digest=digest,
        name=upload.name if upload is not None else "",
        file_matches=[r for r in matches if r.sha256 == digest],
        data_matches=[r for r in matches if r.content_sha256 == digest],
    )


def find_snapshots(user, digest: str) -> list[Report]:
    """Finished reports in the user's scope whose file, or whose data, has this SHA-256."""
    return list(
        Report.objects.restrict(user)
        .filter(status=ReportStatus.DONE)
        .filter(Q(sha256=digest) | Q(content_sha256=digest))
        .select_related("organization", "requested_by", "schedule")
        .order_by("created_at")
    )
