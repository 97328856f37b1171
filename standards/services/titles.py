"""Seven-good titles: proposed from a year's scores, confirmed or withheld by a reviewer.

`propose(period)` runs after a period's scores are written (the `scores_written` signal): every
scored subject meeting the standard of its kind gets a PROPOSED title; a proposal whose subject
no longer meets it is removed; a decided title is never changed, but `details["meets_now"]`
records that its subject's current score no longer meets (or meets again) the standard. It is
set-based — a fixed number of queries for 10,000 subjects as for ten — and idempotent.

`decide(title, …)` confirms or withholds one proposal within the standard's quota (see
`selectors.titles` for the quota groups), in one transaction with its audit entry.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind, SubjectUnit
from assessment.models import Period, SubjectScore, Submission
from assessment.scoring.spec.shape import SevenGoodShape
from assessment.scoring.text import is_english
from assessment.selectors import engine_framework
from audit.hooks import record_event
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can, can_from_above

from .. import config
from ..choices import Decision
from ..models import Title
from ..selectors.titles import quota_anchor, quota_use
from ..seven_good import evaluate, meets, standards_for
from .refusals import NotAllowed, Refused, StaleVersion

__all__ = [
    "NotAllowed",
    "StaleVersion",
    "TitleRefused",
    "can_decide",
    "decide",
    "propose",
]

BATCH = 1000


TitleRefused = Refused


# -- proposing -----------------------------------------------------------------------------------


@transaction.atomic
def propose(period: Period, submission_ids: list[int] | None = None) -> int:
    """Propose, refresh or remove the period's titles from its stored scores (of the subjects in
    `submission_ids` only, when given). Returns how many titles were created, changed or removed
    (0 when nothing changed: running it again changes nothing)."""
    if period.kind != PeriodKind.YEAR:
        return 0
    shape = config.for_period(period)
    standards = shape.seven_good
    if not standards:
        return 0
    framework = engine_framework(period.framework)
    kinds = sorted({kind for s in standards for kind in s.applies_to})
    scores = SubjectScore.objects.filter(period=period, subject_kind__in=kinds)
    titles = Title.objects.filter(period=period, standard__in=[s.code for s in standards])
    if submission_ids is not None:
        scores = scores.filter(submission_id__in=submission_ids)
        titles = titles.filter(submission_id__in=submission_ids)
    existing = {(t.submission_id, t.standard): t for t in titles}
    now = timezone.now()
    create: list[Title] = []
    refresh: list[Title] = []
    noted: list[Title] = []
    seen: set[tuple[int, str]] = set()
    rows = scores.values_list(
        "submission_id",
        "organization_id",
        "subject_kind",
        "total",
        "dimensions",
        "indicators",
        "vetoes",
        "submission__subject_name",
    )
    for submission_id, org_id, kind, total, dims, inds, vetoes, name in rows.iterator(BATCH):
        for standard in standards_for(shape, kind):
            key = (submission_id, standard.code)
            seen.add(key)
            met = meets(framework, standard, dimensions=dims, indicators=inds, vetoes=vetoes)
            title = existing.get(key)
            if title is not None and title.state != Decision.PROPOSED:
                if _note(title, met):
                    noted.append(title)
                continue
            if not met:
                continue  # a stale proposal is removed below (its key was not kept)
            result = evaluate(framework, standard, dimensions=dims, indicators=inds, vetoes=vetoes)
            fields = {
                "organization_id": org_id,
                "subject_kind": kind,
                "subject_name": name,
                "score": total,
                "criteria": [c.to_dict() for c in result.criteria],
                "details": {"explanation": result.explanation.to_dict()},
            }
            if title is None:
                create.append(
                    Title(
                        period=period,
                        submission_id=submission_id,
                        standard=standard.code,
                        proposed_at=now,
                        **fields,
                    )
                )
            elif any(getattr(title, f) != v for f, v in fields.items()):
                for f, v in fields.items():
                    setattr(title, f, v)
                title.proposed_at = now
                refresh.append(title)
            existing.pop(key, None)
    # What is left of the existing proposals no longer meets its standard (or lost its score).
    stale = [t.pk for t in existing.values() if t.state == Decision.PROPOSED]
    for key, title in existing.items():
        if key not in seen and title.state != Decision.PROPOSED and _note(title, False):
            noted.append(title)
    if stale:
        Title.objects.filter(pk__in=stale).delete()
    Title.objects.bulk_create(create, batch_size=BATCH)
    Title.objects.bulk_update(
        refresh,
        [
            "organization",
            "subject_kind",
            "subject_name",
            "score",
            "criteria",
            "details",
            "proposed_at",
        ],
        batch_size=BATCH,
    )
    Title.objects.bulk_update(noted, ["details"], batch_size=BATCH)
    return len(create) + len(refresh) + len(stale) + len(noted)


def _note(title: Title, meets: bool) -> bool:
    """Record on a decided title whether its subject meets the standard now; True if changed."""
    if title.details.get("meets_now", True) == meets:
        return False
    title.details = {**title.details, "meets_now": meets}
    return True


# -- deciding ------------------------------------------------------------------------------------


def can_decide(user, submission: Submission) -> bool:
    """Reviewers above an organization decide its titles; a unit's (leading group, department,
    member, staff) are decided by the reviewers of its organization."""
    if submission.subject_unit == SubjectUnit.ORGANIZATION:
        return can_from_above(user, Action.REVIEW, submission.organization)
    return can(user, Action.REVIEW, submission.organization)


@transaction.atomic
def decide(title: Title, *, confirm: bool, reason: str, version: int, acting_user) -> Title:
    """Confirm or withhold (with a reason) one proposed title; the title as stored after."""
    locked = Title.objects.select_for_update().get(pk=title.pk)
    submission = Submission.objects.select_related("organization", "period__framework").get(
        pk=locked.submission_id
    )
    if not can_decide(acting_user, submission):
        raise NotAllowed(
            _("You may not decide the titles of %(subject)s.") % {"subject": locked.subject_name}
        )
    if locked.version != version:
        raise StaleVersion(
            _(
                "Someone changed this title after you opened it (now version %(v)d). Nothing "
                "was saved: check the title and decide again."
            )
            % {"v": locked.version},
            locked.version,
        )
    if locked.state != Decision.PROPOSED:
        raise TitleRefused(
            _("This title was already decided (%(state)s).") % {"state": locked.get_state_display()}
        )
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise TitleRefused(_("Give the reason the title is withheld."))
    if confirm:
        _check_quota(locked, submission)
    before = {"state": locked.state, "version": locked.version}
    locked.state = Decision.CONFIRMED if confirm else Decision.WITHHELD
    locked.reason = reason
    locked.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["state", "reason", "decided_by", "decided_at", "version"])
    record_event(
        AuditKind.TITLE_DECIDED,
        locked,
        summary=f"{locked.subject_name} {locked.standard} {locked.state}",
        before=before,
        after={"state": locked.state, "version": locked.version, "reason": reason},
        acting_user=acting_user,
        period=locked.period_id,
    )
    return locked


def _check_quota(title: Title, submission: Submission) -> None:
    standard = next(
        (s for s in config.for_period(submission.period).seven_good if s.code == title.standard),
        None,
    )
    if standard is None or standard.quota is None:
        return
    per_paths = Organization.objects.filter(
        pk__in=[*submission.organization.ancestor_ids, submission.organization_id],
        kind__code=standard.quota.per,
    ).values_list("path", flat=True)
    anchor = quota_anchor(
        submission.organization.path,
        organization_subject=submission.subject_unit == SubjectUnit.ORGANIZATION,
        per_paths=per_paths,
    )
    # The group's organization row serialises confirmations within one quota group, so two
    # reviewers confirming at once cannot both take its last place.
    list(Organization.objects.select_for_update().filter(path=anchor).values_list("pk"))
    use = quota_use(submission.period, standard, [anchor])[anchor]
    if use.confirmed + 1 > use.size:
        group = use.organization.display_name if use.organization else anchor
        raise TitleRefused(
            _(
                "The quota of %(title)s under %(group)s is %(size)d (%(subjects)d candidates); "
                "%(confirmed)d already confirmed."
            )
            % {
                "title": _title_name(standard),
                "group": group,
                "size": use.size,
                "subjects": use.subjects,
                "confirmed": use.confirmed,
            }
        )


def _title_name(standard: SevenGoodShape) -> str:
    return standard.title.en if is_english(get_language() or "zh") else standard.title.zh
