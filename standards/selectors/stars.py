"""Reads of star-rated branches and of branch standardization, each in a bounded number of
queries and from the access scope.

- `star_board`: a period's ratings in the user's scope (a page of them), the counts per state and
  per star level, and for each quota group wholly in the scope the quota used and available;
- `rating_page`: one rating with its steps, conditions and checklist in the page's language, and
  what the user may confirm;
- `branch_history`: a branch's ratings over the years, with a small chart;
- `checklist_of`: a branch's standardization for a period, from its stored score.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from assessment.choices import PeriodKind, PeriodStatus, SubjectUnit
from assessment.models import Period, SubjectScore
from assessment.scoring.text import Text, is_english
from assessment.selectors import engine_framework
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can

from .. import config
from .. import stars as rules
from ..choices import Decision
from ..models import StarRating
from ..services import stars as services

__all__ = [
    "QuotaUse",
    "StarBoard",
    "branch_history",
    "checklist_of",
    "decorate",
    "rating_page",
    "ratings",
    "scoped_rating",
    "star_board",
    "star_periods",
    "star_text",
]


def _text(value: dict[str, str] | Text | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    english = is_english(lang or get_language() or "")
    if isinstance(value, Text):
        return value.en if english else value.zh
    return (value.get("en") if english else value.get("zh")) or value.get("zh") or ""


def star_periods() -> QuerySet[Period]:
    """The yearly periods a star rating can belong to, newest first (periods are group-wide)."""
    return (
        Period.objects.filter(kind=PeriodKind.YEAR)
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "-pk")
    )


def ratings(user, action: str = Action.VIEW) -> QuerySet[StarRating]:
    """Every rating the user may see (or act on), with what its pages name."""
    return StarRating.objects.restrict(user, action).select_related(
        "organization__kind", "period__framework", "decided_by"
    )


def star_text(stars: int | None) -> str:
    """Stars as the pages draw them: ★★★☆☆ (a dash for none)."""
    if stars is None:
        return "—"
    return "★" * stars + "☆" * max(0, 5 - stars)


def shown(rating: StarRating) -> int | None:
    """The stars a rating stands at: the confirmed ones, else the proposal."""
    return rating.stars if rating.state == Decision.CONFIRMED else rating.proposed


@dataclass
class QuotaUse:
    """One quota in one group: how many branches it admits at the level, how many are
    confirmed and proposed there."""

    group: Organization
    stars: int
    share: float
    branches: int
    seats: int
    confirmed: int
    proposed: int

    @property
    def available(self) -> int:
        return max(0, self.seats - self.confirmed)

    @property
    def share_percent(self) -> str:
        return f"{self.share * 100:g}%"


@dataclass
class StarBoard:
    """What the committee's list shows for a period."""

    period: Period | None
    rows: QuerySet[StarRating]
    by_state: dict[str, int] = field(default_factory=dict)
    by_stars: list[tuple[int, str, int]] = field(default_factory=list)
    quotas: list[QuotaUse] = field(default_factory=list)
    total: int = 0


def star_board(
    user,
    period: Period | None,
    *,
    organization: Organization | None = None,
    state: str | None = None,
) -> StarBoard:
    """The period's ratings in the user's scope (within `organization`, in `state`) as a
    queryset to page through, and the summary over all of them (not only the state asked): two
    queries for the summary, whatever the number of branches."""
    if period is None:
        return StarBoard(None, StarRating.objects.none())
    scoped = StarRating.objects.restrict(user).filter(period=period)
    if organization is not None:
        scoped = scoped.within(organization)
    summary = list(scoped.values("organization__path", "state", "stars", "proposed").order_by())
    by_state = Counter(row["state"] for row in summary)
    by_stars = Counter(
        row["stars"] if row["state"] == Decision.CONFIRMED else row["proposed"] for row in summary
    )
    rows = (
        scoped.select_related("organization__kind", "decided_by")
        .filter(**({"state": state} if state else {}))
        .order_by("-score", "organization__path")
    )
    board = StarBoard(
        period,
        rows,
        by_state={value: by_state.get(value, 0) for value in Decision.values},
        by_stars=[(n, star_text(n), by_stars[n]) for n in range(5, -1, -1) if by_stars.get(n)],
        total=len(summary),
    )
    board.quotas = _quota_uses(user, period, summary)
    return board


def _quota_uses(user, period: Period, summary: list[dict[str, Any]]) -> list[QuotaUse]:
    shape = config.for_period(period).stars
    if shape is None or not shape.quotas or not summary:
        return []
    ancestor_ids = {
        int(part)
        for row in summary
        for part in row["organization__path"].strip("/").split("/")[:-1]
    }
    groups = [
        group
        for group in Organization.objects.filter(
            pk__in=ancestor_ids, kind__code__in={q.per for q in shape.quotas}
        )
        .select_related("kind")
        .order_by("path")
        if can(user, Action.VIEW, group)  # only groups whose every branch the user sees
    ]
    uses = []
    for quota in shape.quotas:
        for group in groups:
            if group.kind.code != quota.per:
                continue
            inside = [
                row
                for row in summary
                if row["organization__path"].startswith(group.path)
                and (row["stars"] if row["state"] == Decision.CONFIRMED else row["proposed"])
                is not None
            ]
            if not inside:
                continue
            uses.append(
                QuotaUse(
                    group=group,
                    stars=quota.stars,
                    share=quota.share,
                    branches=len(inside),
                    seats=config.quota_size(quota.share, len(inside)),
                    confirmed=sum(
                        1
                        for row in inside
                        if row["state"] == Decision.CONFIRMED and row["stars"] == quota.stars
                    ),
                    proposed=sum(
                        1
                        for row in inside
                        if row["state"] == Decision.PROPOSED and row["proposed"] == quota.stars
                    ),
                )
            )
    return uses


def decorate(rows, user) -> None:
    """Mark each rating of a page with whether the user may confirm it (no query)."""
    for rating in rows:
        rating.shown_stars = shown(rating)
        rating.proposed_text = star_text(rating.proposed)
        rating.stars_text = star_text(rating.stars)
        rating.can_decide = rating.state == Decision.PROPOSED and services.can_decide(user, rating)
        rating.conditions_met = (rating.conditions or {}).get("met", {})


def scoped_rating(user, pk: int) -> StarRating:
    """One rating in the user's scope, or 404."""
    return get_object_or_404(ratings(user), pk=pk)


def rating_page(user, rating: StarRating) -> dict[str, Any]:
    """A rating's page data in the page's language: its steps, the conditions with their
    names, the standardization checklist, the allowed range and whether the user may confirm."""
    lang = get_language() or ""
    conditions = rating.conditions or {}
    shape = config.for_period(rating.period).stars
    low, high = (0, 5)
    if shape is not None:
        low, high = rules.allowed_range(shape, services.inputs_of(rating))
    checklist = conditions.get("standardization")
    items = []
    for item in (checklist or {}).get("items", []):
        items.append(
            {
                "code": item["code"],
                "name": _text(item["name"], lang),
                "met": item["met"],
                "min_fraction": item["min_fraction"],
                "indicators": [
                    {**check, "name": _text(check["name"], lang)} for check in item["indicators"]
                ],
            }
        )
    return {
        "rating": rating,
        "shown": shown(rating),
        "proposed_text": star_text(rating.proposed),
        "stars_text": star_text(rating.stars),
        "band_text": star_text(rating.band_stars),
        "previous_text": star_text(rating.previous),
        "steps": [_text(step, lang) for step in rating.steps or []],
        "required": conditions.get("required", []),
        "met": conditions.get("met", {}),
        "missing": conditions.get("missing", 0),
        "vetoes": conditions.get("vetoes", []),
        "checklist": checklist,
        "items": items,
        "low": low,
        "high": high,
        "can_decide": rating.state == Decision.PROPOSED and services.can_decide(user, rating),
        "changed_since": (rating.details or {}).get("changed_since"),
    }


CHART_WIDTH, CHART_HEIGHT, CHART_BAR = 320, 120, 28


def branch_history(user, organization_pk: int) -> dict[str, Any]:
    """A branch in the user's scope (else 404) with its ratings over the years, oldest first,
    and the bars of a small chart of its stars by year: two queries."""
    branch = get_object_or_404(
        Organization.objects.restrict(user).select_related("kind"), pk=organization_pk
    )
    years = list(
        StarRating.objects.filter(organization=branch)
        .select_related("period")
        .order_by("period__start", "period_id")
    )
    rows = []
    for rating in years:
        standard = (rating.conditions or {}).get("standardization")
        rows.append(
            {
                "rating": rating,
                "year": rating.period.start.year,
                "shown": shown(rating),
                "text": star_text(shown(rating)),
                "standardized": None if standard is None else standard.get("met"),
            }
        )
    step = CHART_WIDTH / max(1, len(rows))
    bars = []
    for n, row in enumerate(rows):
        stars = row["shown"] or 0
        height = round(stars / 5 * (CHART_HEIGHT - 30), 1)
        bars.append(
            {
                "x": round(n * step + (step - CHART_BAR) / 2, 1),
                "y": round(CHART_HEIGHT - 18 - height, 1),
                "height": height,
                "label_x": round(n * step + step / 2, 1),
                "label_y": round(CHART_HEIGHT - 22 - height, 1),
                "year": row["year"],
                "stars": row["shown"],
                "confirmed": row["rating"].state == Decision.CONFIRMED,
            }
        )
    return {
        "branch": branch,
        "rows": rows,
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bar": CHART_BAR, "bars": bars},
    }


def checklist_of(period: Period, organization: Organization) -> rules.Checklist | None:
    """A branch's standardization for the period from its stored score: None when the
    framework has none for the branch's kind or the branch has no score. One query."""
    standard = config.for_period(period).standardization
    score = (
        SubjectScore.objects.filter(
            period=period, organization=organization, subject_unit=SubjectUnit.ORGANIZATION
        )
        .only("subject_kind", "indicators")
        .first()
    )
    if standard is None or score is None or score.subject_kind not in standard.applies_to:
        return None
    spec = engine_framework(period.framework)
    return services.checklist_for_score(standard, spec, score.indicators or {})
