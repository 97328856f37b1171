"""Writes of star-rated branches: the proposals made from a year's scores, and the committee's
confirmation.

`propose` recomputes every branch of a yearly period at once (the quotas need all the branches
of a committee): a fixed number of queries and one upsert whatever the number of branches, and
running it again changes nothing. Confirmed ratings are never changed by it; when the proposal
would now differ, the rating says so in `details["changed_since"]`.

`decide` is the committee's confirmation, by a reviewer above the branch, with the rules of
`standards.stars` (`allowed_range`) and the quotas checked again under a lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind, SubjectUnit, SubmissionState
from assessment.models import Period, SubjectScore
from assessment.scoring.spec.model import VetoRubric
from assessment.scoring.spec.shape import StandardizationShape, StarsShape
from assessment.scoring.text import Text
from assessment.scoring.values import rounded
from assessment.selectors import engine_framework
from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can_from_above

from .. import config
from .. import stars as rules
from ..choices import Decision
from ..models import StarRating
from .refusals import NotAllowed, Refused, StaleVersion

__all__ = [
    "NotAllowed",
    "StaleVersion",
    "StarsRefused",
    "can_decide",
    "checklist_for_score",
    "decide",
    "inputs_of",
    "previous_period",
    "propose",
]

COUNTED = (SubmissionState.APPROVED, SubmissionState.LOCKED)
FIELDS = (
    "score",
    "band_stars",
    "previous",
    "proposed",
    "vetoed",
    "conditions",
    "steps",
)


StarsRefused = Refused


def previous_period(period: Period) -> Period | None:
    """The yearly period of the year before, of the same framework code (any version)."""
    return (
        Period.objects.filter(
            framework__code=period.framework.code,
            kind=PeriodKind.YEAR,
            start__year=period.start.year - 1,
        )
        .order_by("-start", "-pk")
        .first()
    )


def _band(spec, total: float | None) -> int | None:
    if total is None:
        return None
    reached = rounded(total)
    return next((band.stars for band in spec.star_bands if reached >= band.min), None)


def _veto_cap(spec, vetoes: Iterable[str], stored: int | None) -> int | None:
    caps = []
    for code in vetoes:
        try:
            rubric = spec.indicator(code).rubric
        except KeyError:
            continue
        if isinstance(rubric, VetoRubric):
            caps.append(rubric.cap_stars)
    if caps:
        return min(caps)
    return stored  # an unknown veto: the engine's capped stars are the cap


def checklist_for_score(
    standard: StandardizationShape, spec, packed: dict[str, list]
) -> rules.Checklist:
    """The standardization checklist from a stored score's packed indicators."""
    names: dict[str, Text] = {}
    results: dict[str, tuple[float | None, str | None]] = {}
    fraction_at = SubjectScore.INDICATOR_FIELDS.index("fraction")
    status_at = SubjectScore.INDICATOR_FIELDS.index("status")
    for item in standard.items:
        for code in item.indicators:
            with contextlib.suppress(KeyError):
                names[code] = spec.indicator(code).name
            stored = packed.get(code)
            if stored is not None:
                results[code] = (stored[fraction_at], stored[status_at])
    return rules.checklist(standard, results, names)


def _checklist(standards, spec, kind: str, packed: dict[str, list]) -> rules.Checklist | None:
    standard = standards.standardization
    if standard is None or kind not in standard.applies_to:
        return None
    return checklist_for_score(standard, spec, packed)


@dataclass
class _Branch:
    score_row: dict[str, Any]
    checklist: rules.Checklist | None
    inputs: rules.StarInputs
    proposal: rules.Proposal


def _conditions_json(
    stars: StarsShape,
    inputs: rules.StarInputs,
    proposal: rules.Proposal,
    checklist: rules.Checklist | None,
) -> dict[str, Any]:
    return {
        "required": list(stars.conditions),
        "met": proposal.conditions,
        "cap": proposal.cap,
        "before_quota": proposal.stars,
        "vetoes": list(inputs.vetoes),
        "veto_cap": inputs.veto_cap,
        "missing": inputs.missing,
        "complete": inputs.complete,
        "standardization": checklist.to_dict() if checklist is not None else None,
    }


def inputs_of(rating: StarRating) -> rules.StarInputs:
    """What a stored rating's proposal started from, to check a confirmation against."""
    conditions = rating.conditions or {}
    standard = conditions.get("standardization")
    return rules.StarInputs(
        score=rating.score,
        band_stars=rating.band_stars,
        vetoes=tuple(conditions.get("vetoes") or (["?"] if rating.vetoed else [])),
        veto_cap=conditions.get("veto_cap"),
        standardization=None if standard is None else bool(standard.get("met")),
        complete=bool(conditions.get("complete", True)),
        missing=int(conditions.get("missing") or 0),
        previous=rating.previous,
    )


def _groups(organizations: dict[int, str], kinds: set[str]) -> dict[int, dict[str, tuple]]:
    """Per branch id, the organization above it of each kind in `kinds`: one query."""
    if not kinds:
        return {}
    ancestor_ids = {
        int(part) for path in organizations.values() for part in path.strip("/").split("/")
    }
    above = {
        row["pk"]: row
        for row in Organization.objects.filter(pk__in=ancestor_ids, kind__code__in=kinds).values(
            "pk", "name", "name_en", "kind__code"
        )
    }
    groups: dict[int, dict[str, tuple]] = {}
    for branch_id, path in organizations.items():
        mine: dict[str, tuple] = {}
        for part in path.strip("/").split("/")[:-1]:  # nearest last, so it wins
            row = above.get(int(part))
            if row is not None:
                mine[row["kind__code"]] = (row["pk"], Text(row["name"], row["name_en"] or ""))
        groups[branch_id] = mine
    return groups


def propose(period: Period, submission_ids: Iterable[int] | None = None) -> int:
    """Create or refresh the proposed star ratings of a yearly period's branches; how many
    proposals were written (new or changed). With `submission_ids` (those just scored), nothing
    is done unless one of them is a branch rated with stars; the period is then done whole."""
    if period.kind != PeriodKind.YEAR:
        return 0
    standards = config.for_period(period)
    stars = standards.stars
    if stars is None:
        return 0
    scores = SubjectScore.objects.filter(
        period=period, subject_kind__in=stars.applies_to, subject_unit=SubjectUnit.ORGANIZATION
    )
    if submission_ids is not None:
        wanted = list(submission_ids)
        if not wanted or not scores.filter(submission_id__in=wanted).exists():
            return 0
    spec = engine_framework(period.framework)
    rows = list(
        scores.values(
            "organization_id",
            "organization__path",
            "subject_kind",
            "state",
            "total",
            "stars",
            "vetoes",
            "indicators",
            "missing",
        )
    )
    before = previous_period(period)
    previous: dict[int, int | None] = {}
    if before is not None:
        previous = dict(
            StarRating.objects.filter(period=before, state=Decision.CONFIRMED).values_list(
                "organization_id", "stars"
            )
        )
    groups = _groups(
        {row["organization_id"]: row["organization__path"] for row in rows},
        {quota.per for quota in stars.quotas},
    )

    branches: dict[int, _Branch] = {}
    for row in rows:
        checklist = _checklist(standards, spec, row["subject_kind"], row["indicators"] or {})
        vetoes = tuple(row["vetoes"] or ())
        inputs = rules.StarInputs(
            score=row["total"],
            band_stars=_band(spec, row["total"]),
            vetoes=vetoes,
            veto_cap=_veto_cap(spec, vetoes, row["stars"]) if vetoes else None,
            standardization=None if checklist is None else checklist.met,
            complete=row["missing"] == 0 and row["state"] in COUNTED,
            missing=row["missing"],
            previous=previous.get(row["organization_id"]),
        )
        branches[row["organization_id"]] = _Branch(
            row, checklist, inputs, rules.propose(stars, inputs)
        )

    now = timezone.now()
    with transaction.atomic():
        existing = {
            rating.organization_id: rating
            for rating in StarRating.objects.select_for_update().filter(period=period)
        }
        seats = []
        for org_id, branch in branches.items():
            rating = existing.get(org_id)
            fixed = rating is not None and rating.state == Decision.CONFIRMED
            seats.append(
                rules.Seat(
                    key=org_id,
                    stars=rating.stars if fixed else branch.proposal.stars,
                    score=branch.inputs.score,
                    groups=groups.get(org_id, {}),
                    fixed=fixed,
                    order=branch.score_row["organization__path"],
                )
            )
        demoted = rules.quota_demotions(seats, stars.quotas, config.quota_size)
        final = {seat.key: seat.stars for seat in seats}

        upserts: list[StarRating] = []
        for org_id, branch in branches.items():
            proposal = branch.proposal
            steps = proposal.steps_dicts() + [step.to_dict() for step in demoted.get(org_id, [])]
            rating = existing.get(org_id)
            if rating is not None and rating.state == Decision.CONFIRMED:
                # A confirmed rating holds its seat in the quotas: its fresh proposal is the
                # one before them, compared with the stored one before them.
                proposed = proposal.stars
                stored = (rating.conditions or {}).get("before_quota", rating.proposed)
                if proposed != stored:
                    rating.details = {
                        **rating.details,
                        "changed_since": {"proposed": proposed, "at": now.isoformat()},
                    }
                    upserts.append(rating)
                elif "changed_since" in rating.details:
                    rating.details = {
                        k: v for k, v in rating.details.items() if k != "changed_since"
                    }
                    upserts.append(rating)
                continue
            values = {
                "score": branch.inputs.score,
                "band_stars": branch.inputs.band_stars,
                "previous": branch.inputs.previous,
                "proposed": final[org_id],
                "vetoed": branch.inputs.vetoed,
                "conditions": _conditions_json(stars, branch.inputs, proposal, branch.checklist),
                "steps": steps,
            }
            if rating is None:
                upserts.append(
                    StarRating(
                        period=period,
                        organization_id=org_id,
                        proposed_at=now,
                        state=Decision.PROPOSED,
                        **values,
                    )
                )
            elif any(getattr(rating, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(rating, name, value)
                rating.proposed_at = now
                rating.version += 1
                upserts.append(rating)
        gone = [
            rating.pk
            for org_id, rating in existing.items()
            if org_id not in branches and rating.state == Decision.PROPOSED
        ]
        if gone:
            StarRating.objects.filter(pk__in=gone).delete()
        if upserts:
            StarRating.objects.bulk_create(
                upserts,
                update_conflicts=True,
                unique_fields=["period", "organization"],
                update_fields=[*FIELDS, "proposed_at", "version", "details"],
            )
    return sum(1 for rating in upserts if rating.state == Decision.PROPOSED)


def can_decide(user, rating: StarRating) -> bool:
    """Whether the user confirms this branch's stars: a reviewer above it (the committee)."""
    return can_from_above(user, Action.REVIEW, rating.organization)


def _quota_refusal(
    rating: StarRating, stars_shape: StarsShape, stars: int, branch: Organization
) -> str | None:
    """Why confirming `stars` would exceed a quota of the branch's groups, or None."""
    ancestor_ids = [int(part) for part in branch.path.strip("/").split("/")[:-1]]
    for quota in stars_shape.quotas:
        if quota.stars != stars:
            continue
        group = (
            Organization.objects.filter(pk__in=ancestor_ids, kind__code=quota.per)
            .order_by("-depth")
            .first()
        )
        if group is None:
            continue
        ratings = StarRating.objects.select_for_update().filter(
            period_id=rating.period_id,
            organization__path__startswith=group.path,
            organization__kind__code__in=stars_shape.applies_to,
        )
        rated = [
            r
            for r in ratings
            if (r.stars if r.state == Decision.CONFIRMED else r.proposed) is not None
        ]
        seats = config.quota_size(quota.share, len(rated))
        taken = sum(
            1
            for r in rated
            if r.pk != rating.pk and r.state == Decision.CONFIRMED and r.stars == stars
        )
        if taken + 1 > seats:
            return _(
                "The quota of %(group)s allows at most %(seats)d of its %(count)d branches at "
                "%(stars)d stars (%(share)s); %(taken)d already confirmed."
            ) % {
                "group": group.display_name,
                "seats": seats,
                "count": len(rated),
                "stars": stars,
                "share": f"{quota.share * 100:g}%",
                "taken": taken,
            }
    return None


def decide(rating: StarRating, *, stars: int, reason: str, version: int, acting_user) -> StarRating:
    """The committee confirms a branch's stars: the proposal, or other stars with a reason,
    within what the rules allow. One transaction with its audit entry; the version bumped."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            StarRating.objects.select_for_update()
            .select_related("organization", "period__framework")
            .get(pk=rating.pk)
        )
        branch = locked.organization
        if not can_decide(acting_user, locked):
            raise NotAllowed(
                _(
                    "The stars of %(org)s are confirmed by the committee above it: you may not "
                    "confirm them."
                )
                % {"org": branch.display_name}
            )
        if locked.version != version:
            raise StaleVersion(
                _(
                    "This rating changed since you opened it (now version %(now)d, yours "
                    "%(yours)d). Reload the page and decide again."
                )
                % {"now": locked.version, "yours": version},
                current=locked.version,
            )
        if locked.state == Decision.CONFIRMED:
            raise StarsRefused(
                _("The stars of %(org)s are already confirmed: %(stars)d.")
                % {"org": branch.display_name, "stars": locked.stars or 0}
            )
        stars_shape = config.for_period(locked.period).stars
        if stars_shape is None or locked.proposed is None:
            raise StarsRefused(_("This branch has no stars to confirm for the period."))
        if not 0 <= stars <= 5:
            raise StarsRefused(_("Stars go from 0 to 5."))
        if stars != locked.proposed and not reason:
            raise StarsRefused(
                _("Confirming %(stars)d stars instead of the proposed %(proposed)d needs a reason.")
                % {"stars": stars, "proposed": locked.proposed}
            )
        if stars != locked.proposed:
            low, high = rules.allowed_range(stars_shape, inputs_of(locked))
            if stars > high or stars < low:
                raise StarsRefused(_range_message(locked, stars_shape, stars, low, high))
        refusal = _quota_refusal(locked, stars_shape, stars, branch)
        if refusal:
            raise StarsRefused(refusal)

        before = {"state": locked.state, "proposed": locked.proposed, "stars": locked.stars}
        locked.stars = stars
        locked.reason = reason
        locked.state = Decision.CONFIRMED
        locked.decided_by = acting_user
        locked.decided_at = timezone.now()
        locked.version += 1
        locked.save(
            update_fields=["stars", "reason", "state", "decided_by", "decided_at", "version"]
        )
        audit_trail.record_event(
            AuditKind.STARS_DECIDED,
            locked,
            summary=f"{branch.code} {locked.period.start.year}: {stars}★"
            + (f" ({locked.proposed}★ proposed)" if stars != locked.proposed else ""),
            before=before,
            after={"state": locked.state, "stars": stars, "reason": reason},
            acting_user=acting_user,
            period=locked.period_id,
        )
    return locked


def _range_message(
    rating: StarRating, stars_shape: StarsShape, stars: int, low: int, high: int
) -> str:
    if rating.previous is not None and stars > rating.previous + stars_shape.max_change:
        return _(
            "%(stars)d stars is more than %(change)d above last year's %(previous)d stars."
        ) % {"stars": stars, "change": stars_shape.max_change, "previous": rating.previous}
    if stars > high:
        return _(
            "The entry conditions (or a veto) allow at most %(high)d stars for this branch."
        ) % {"high": high}
    return _(
        "%(stars)d stars is more than %(change)d below last year's %(previous)d stars; only a "
        "veto this year lifts that limit."
    ) % {"stars": stars, "change": stars_shape.max_change, "previous": rating.previous or 0}
