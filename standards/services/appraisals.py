"""Member appraisals: opened from the period's scores, graded by the branch, approved by the
committee above, followed up.

`open_for_period` makes one appraisal per branch whose members were scored in a year period and
keeps OPEN appraisals in step with the scores (an APPROVED appraisal is never touched): a member's
grade decided by hand is kept while their score and votes are unchanged, and what a refresh
changed is recorded in the appraisal's `details["refreshed"]`. The branch (or a reviewer of it)
decides grades (`set_grades`); a reviewer above approves (`approve`), which is refused while the
top grade exceeds the cap and creates the follow-up steps of the lower grades. Every write is one
transaction with its audit entry; refused input raises `AppraisalRefused` and changes nothing.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind
from assessment.models import Period, SubjectScore, Submission
from assessment.scoring.text import Text
from assessment.selectors import engine_framework
from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action, Role
from organizations.scope import can, can_from_above
from organizations.selectors import active_role_holders

from .. import appraisal as rules
from .. import config
from ..choices import AppraisalState
from ..models import FollowUp, MemberAppraisal, MemberGrade
from .refusals import NotAllowed, Refused, StaleVersion

AppraisalRefused = Refused


@dataclass(frozen=True)
class Scale:
    """The member scale of a period: grade codes from the top, their names, the cap's terms."""

    grades: tuple[str, ...]
    names: dict[str, Text]
    mins: tuple[tuple[str, float], ...]
    top_grade: str
    top_share: float
    kind_name: Text
    follow_up: dict[str, tuple[tuple[str, ...], int]]  # grade -> (steps, within days)

    def name(self, grade: str) -> str:
        text = self.names.get(grade)
        return text.get(get_language() or "") if text else grade


def scale_for(period: Period) -> Scale | None:
    """The appraisal rules of the period's framework; None if it appraises no members."""
    shape = config.for_period(period).member_appraisal
    if shape is None:
        return None
    framework = engine_framework(period.framework)
    bands = framework.bands_for(shape.subject_kind)
    kind_name = Text("党员", "Party member")
    for kind in framework.subject_kinds:
        if kind.code == shape.subject_kind:
            kind_name = kind.name
    return Scale(
        grades=tuple(b.grade for b in bands),
        names={b.grade: b.name for b in bands},
        mins=tuple((b.grade, b.min) for b in bands),
        top_grade=shape.top_grade,
        top_share=shape.top_share,
        kind_name=kind_name,
        follow_up={f.grade: (tuple(f.steps), f.within_days) for f in shape.follow_up},
    )


def cap_use(scale: Scale, grades: Iterable[str], top_share: float) -> rules.CapUse:
    return rules.check_cap(
        grades,
        top_grade=scale.top_grade,
        top_share=top_share,
        top_name=scale.names.get(scale.top_grade, Text(scale.top_grade, scale.top_grade)),
        members_name=scale.kind_name,
    )


# ---- opening and refreshing -------------------------------------------------------------------


def open_for_period(period: Period, submission_ids: Iterable[int] | None = None) -> int:
    """Open or refresh the appraisals of the period's branches (of the branches of
    `submission_ids` only, if given); the number of appraisals created or changed.

    Idempotent: run again over unchanged scores it changes nothing. A fixed number of queries
    whatever the number of branches and members (plus batched writes).
    """
    if period.kind != PeriodKind.YEAR:
        return 0
    scale = scale_for(period)
    if scale is None:
        return 0
    kind = config.for_period(period).member_appraisal.subject_kind
    scores = SubjectScore.objects.filter(
        period=period, subject_kind=kind, submission__person__isnull=False
    )
    if submission_ids is not None:
        branches = set(
            Submission.objects.filter(
                pk__in=list(submission_ids), period=period, subject_kind=kind
            ).values_list("organization_id", flat=True)
        )
        if not branches:
            return 0
        scores = scores.filter(organization_id__in=branches)
    rows = list(
        scores.values_list(
            "organization_id",
            "submission_id",
            "submission__person_id",
            "submission__person__name",
            "total",
            "grade",
            "inputs",
        )
    )
    votes_code = config.for_period(period).member_appraisal.votes
    members: dict[int, list[tuple[rules.Candidate, int]]] = {}
    for org_id, submission_id, person_id, name, total, grade, inputs in rows:
        candidate = rules.Candidate(
            key=person_id,
            name=name,
            score=total,
            grade=grade or rules.grade_for(total, scale.mins),
            votes=rules.votes_of((inputs or {}).get(votes_code)),
        )
        members.setdefault(org_id, []).append((candidate, submission_id))
    if submission_ids is not None:
        # A branch of the given submissions with no scored member left: its open appraisal empties.
        members.update({org_id: [] for org_id in branches if org_id not in members})
    with transaction.atomic():
        return _write(period, scale, members)


def _write(
    period: Period, scale: Scale, members: dict[int, list[tuple[rules.Candidate, int]]]
) -> int:
    existing = {
        a.organization_id: a
        for a in MemberAppraisal.objects.select_for_update().filter(
            period=period, organization_id__in=list(members)
        )
    }
    new = [
        MemberAppraisal(period=period, organization_id=org_id, top_share=scale.top_share)
        for org_id, people in members.items()
        if org_id not in existing and people
    ]
    MemberAppraisal.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        existing = {
            a.organization_id: a
            for a in MemberAppraisal.objects.filter(
                period=period, organization_id__in=list(members)
            )
        }
    open_ids = [a.pk for a in existing.values() if a.state == AppraisalState.OPEN]
    current: dict[tuple[int, int], MemberGrade] = {
        (g.appraisal_id, g.person_id): g
        for g in MemberGrade.objects.filter(appraisal_id__in=open_ids)
    }
    new_orgs = {a.organization_id for a in new}
    created_ids = {a.pk for org_id, a in existing.items() if org_id in new_orgs}
    to_create: list[MemberGrade] = []
    to_update: list[MemberGrade] = []
    to_delete: list[int] = []
    changes: dict[int, list[dict[str, Any]]] = {}
    for org_id, people in members.items():
        appraisal = existing.get(org_id)
        if appraisal is None or appraisal.state != AppraisalState.OPEN:
            continue
        proposals = rules.propose(
            [c for c, _s in people],
            top_grade=scale.top_grade,
            scale=scale.grades,
            top_share=appraisal.top_share,
        )
        submissions = {c.key: s for c, s in people}
        seen = set()
        for proposal in proposals:
            person_id = proposal.candidate.key
            seen.add(person_id)
            fresh = {
                "submission_id": submissions[person_id],
                "score": proposal.candidate.score,
                "rank": proposal.rank,
                "votes": dict(proposal.candidate.votes),
                "proposed": proposal.grade,
            }
            row = current.get((appraisal.pk, person_id))
            if row is None:
                to_create.append(
                    MemberGrade(
                        appraisal_id=appraisal.pk,
                        person_id=person_id,
                        grade=proposal.grade,
                        **fresh,
                    )
                )
                if appraisal.pk not in created_ids:
                    changes.setdefault(appraisal.pk, []).append(
                        {"person": person_id, "name": proposal.candidate.name, "added": True}
                    )
                continue
            change = _refresh(row, fresh, proposal.candidate.name)
            if change:
                to_update.append(row)
                changes.setdefault(appraisal.pk, []).append(change)
        for (appraisal_id, person_id), row in current.items():
            if appraisal_id == appraisal.pk and person_id not in seen:
                to_delete.append(row.pk)
                changes.setdefault(appraisal.pk, []).append(
                    {"person": person_id, "removed": True, "grade": row.grade}
                )
    MemberGrade.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        MemberGrade.objects.bulk_update(
            to_update,
            ["submission", "score", "rank", "votes", "proposed", "grade", "reason"],
            batch_size=500,
        )
    if to_delete:
        MemberGrade.objects.filter(pk__in=to_delete).delete()
    if changes:
        _record_refresh(period, existing, changes)
    return len(new) + len(changes)


def _refresh(row: MemberGrade, fresh: dict[str, Any], name: str) -> dict[str, Any] | None:
    """Bring one member's row to the fresh data; what changed, or None.

    A grade decided by hand (another than the proposal, or with a reason) is kept while the
    member's score and votes are unchanged; otherwise the grade follows the new proposal.
    """
    data_changed = row.score != fresh["score"] or (row.votes or {}) != fresh["votes"]
    by_hand = row.grade != row.proposed or bool(row.reason)
    grade, reason = row.grade, row.reason
    if data_changed or not by_hand:
        grade, reason = fresh["proposed"], ""
    before = {
        "score": row.score,
        "rank": row.rank,
        "votes": row.votes or {},
        "proposed": row.proposed,
        "grade": row.grade,
    }
    after = {
        "score": fresh["score"],
        "rank": fresh["rank"],
        "votes": fresh["votes"],
        "proposed": fresh["proposed"],
        "grade": grade,
    }
    if before == after and row.reason == reason and row.submission_id == fresh["submission_id"]:
        return None
    row.submission_id = fresh["submission_id"]
    row.score, row.rank, row.votes = fresh["score"], fresh["rank"], fresh["votes"]
    row.proposed, row.grade, row.reason = fresh["proposed"], grade, reason
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    return {"person": row.person_id, "name": name, "changed": changed}


def _record_refresh(
    period: Period, appraisals: Mapping[int, MemberAppraisal], changes: dict[int, list]
) -> None:
    """What a refresh changed, on each appraisal (`details["refreshed"]`, the version moved on so
    forms opened before are stale) and in the audit trail: one update and one insert in all."""
    by_pk = {a.pk: a for a in appraisals.values()}
    now = timezone.now().isoformat()
    changed = []
    for pk, rows in changes.items():
        appraisal = by_pk[pk]
        appraisal.details = {**(appraisal.details or {}), "refreshed": {"at": now, "changes": rows}}
        appraisal.version += 1
        changed.append(appraisal)
    MemberAppraisal.objects.bulk_update(changed, ["details", "version"], batch_size=500)
    with audit_trail.batch():
        for appraisal in changed:
            rows = changes[appraisal.pk]
            audit_trail.record_event(
                AuditKind.APPRAISAL_SAVED,
                appraisal,
                summary=f"{period.pk}: refreshed from the scores ({len(rows)})",
                after={"refreshed": rows},
                acting_user=None,
                period=period.pk,
            )


# ---- deciding grades --------------------------------------------------------------------------


def can_grade(user, appraisal: MemberAppraisal) -> bool:
    """The branch (entering data) or a reviewer of it or above may decide its members' grades:
    members are unit subjects, which a reviewer of their own organization decides."""
    branch = appraisal.organization
    return can(user, Action.ENTER, branch) or can(user, Action.REVIEW, branch)


def can_approve(user, appraisal: MemberAppraisal) -> bool:
    return can_from_above(user, Action.REVIEW, appraisal.organization)


def _locked(appraisal: MemberAppraisal, version: int) -> MemberAppraisal:
    fresh = (
        MemberAppraisal.objects.select_for_update()
        .select_related("organization", "period__framework")
        .get(pk=appraisal.pk)
    )
    if fresh.version != version:
        raise StaleVersion(
            _(
                "This appraisal was changed by someone else since you opened it (now version "
                "%(current)s, yours %(yours)s). Reload the page and decide again."
            )
            % {"current": fresh.version, "yours": version},
            fresh.version,
        )
    if fresh.state != AppraisalState.OPEN:
        raise AppraisalRefused(_("This appraisal is approved: its grades can no longer change."))
    return fresh


def set_grade(
    member_grade: MemberGrade, *, grade: str, reason: str, version: int, acting_user
) -> MemberGrade:
    """One member's decided grade; see `set_grades`."""
    set_grades(
        member_grade.appraisal,
        {member_grade.pk: (grade, reason)},
        version=version,
        acting_user=acting_user,
    )
    member_grade.refresh_from_db()
    return member_grade


def set_grades(
    appraisal: MemberAppraisal,
    decisions: Mapping[int, tuple[str, str]],
    *,
    version: int,
    acting_user,
) -> MemberAppraisal:
    """Decide members' grades ({member grade id: (grade, reason)}), all or none.

    A grade other than the proposal needs a reason; the grade must be on the member scale.
    Only changed rows are written; the appraisal's version moves on when any changed.
    """
    with transaction.atomic():
        fresh = _locked(appraisal, version)
        if not can_grade(acting_user, fresh):
            raise NotAllowed(_("You do not decide the grades of this branch's members."))
        scale = scale_for(fresh.period)
        rows = {
            g.pk: g
            for g in MemberGrade.objects.filter(appraisal=fresh, pk__in=list(decisions))
            .select_related("person")
            .order_by("rank", "pk")
        }
        if len(rows) != len(set(decisions)):
            raise AppraisalRefused(_("A member of this list is not in this appraisal."))
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        changed: list[MemberGrade] = []
        for pk, row in rows.items():
            grade, reason = decisions[pk]
            grade, reason = (grade or "").strip(), (reason or "").strip()
            if scale is None or grade not in scale.grades:
                raise AppraisalRefused(
                    _("%(name)s: choose a grade of the member scale.") % {"name": row.person.name}
                )
            if grade != row.proposed and not reason:
                raise AppraisalRefused(
                    _("%(name)s: a grade other than the proposed %(proposed)s needs a reason.")
                    % {"name": row.person.name, "proposed": scale.name(row.proposed)}
                )
            if grade == row.grade and reason == row.reason:
                continue
            before[row.person.name] = {"grade": row.grade, "reason": row.reason}
            after[row.person.name] = {"grade": grade, "reason": reason}
            row.grade, row.reason = grade, reason
            changed.append(row)
        if not changed:
            return fresh
        MemberGrade.objects.bulk_update(changed, ["grade", "reason"])
        fresh.version += 1
        fresh.save(update_fields=["version"])
        audit_trail.record_event(
            AuditKind.APPRAISAL_SAVED,
            fresh,
            summary=f"{fresh.organization.code} {fresh.period.name}: {len(changed)}",
            before=before,
            after=after,
            acting_user=acting_user,
            period=fresh.period_id,
        )
    return fresh


# ---- approval ---------------------------------------------------------------------------------


def approve(appraisal: MemberAppraisal, *, version: int, acting_user) -> MemberAppraisal:
    """Approve a branch's appraisal (a reviewer above the branch), refused while more members
    hold the top grade than the cap allows; creates the follow-up steps of the lower grades,
    due `within_days` after today and owned by the branch's first active secretary."""
    with transaction.atomic():
        fresh = _locked(appraisal, version)
        if not can_approve(acting_user, fresh):
            raise NotAllowed(
                _("A branch's appraisal is approved by a reviewer of an organization above it.")
            )
        scale = scale_for(fresh.period)
        if scale is None:
            raise AppraisalRefused(_("This period's framework appraises no members."))
        grades = list(MemberGrade.objects.filter(appraisal=fresh).select_related("person"))
        if not grades:
            raise AppraisalRefused(_("This appraisal has no members to approve."))
        use = cap_use(scale, [g.grade for g in grades], fresh.top_share)
        if use.message is not None:
            raise AppraisalRefused(use.message.get(get_language() or ""))
        today = timezone.localdate()
        owners = active_role_holders([fresh.organization_id], [Role.SECRETARY])
        owner = owners.get((Role.SECRETARY, fresh.organization_id), [None])[0]
        follow_ups = [
            FollowUp(
                grade=g,
                organization_id=fresh.organization_id,
                person_id=g.person_id,
                step=step,
                due=today + datetime.timedelta(days=scale.follow_up[g.grade][1]),
                owner=owner,
            )
            for g in grades
            if g.grade in scale.follow_up
            for step in scale.follow_up[g.grade][0]
        ]
        FollowUp.objects.bulk_create(follow_ups, ignore_conflicts=True)
        fresh.state = AppraisalState.APPROVED
        fresh.approved_by = acting_user
        fresh.approved_at = timezone.now()
        fresh.version += 1
        fresh.save(update_fields=["state", "approved_by", "approved_at", "version"])
        counts: dict[str, int] = {}
        for g in grades:
            counts[g.grade] = counts.get(g.grade, 0) + 1
        label = f"{fresh.organization.code} {fresh.period.name}"
        with audit_trail.batch():
            audit_trail.record_event(
                AuditKind.APPRAISAL_APPROVED,
                fresh,
                summary=label,
                before={"state": AppraisalState.OPEN},
                after={"state": AppraisalState.APPROVED, "grades": counts},
                acting_user=acting_user,
                period=fresh.period_id,
            )
            if follow_ups:
                audit_trail.record_event(
                    AuditKind.APPRAISAL_SAVED,
                    fresh,
                    summary=f"{label}: follow-up {len(follow_ups)}",
                    after={
                        "follow_ups": [
                            {"member": f.grade.person.name, "step": f.step, "due": str(f.due)}
                            for f in follow_ups
                        ]
                    },
                    acting_user=acting_user,
                    period=fresh.period_id,
                )
    return fresh


# ---- follow-up --------------------------------------------------------------------------------


def can_follow_up(user, follow_up: FollowUp) -> bool:
    """The branch or a reviewer of it or above records the follow-up."""
    branch = follow_up.organization
    return can(user, Action.ENTER, branch) or can(user, Action.REVIEW, branch)


def owner_allowed(owner, follow_up: FollowUp) -> bool:
    """An owner is someone who sees the branch (a role on it or above)."""
    return bool(owner.is_active) and can(owner, Action.VIEW, follow_up.organization)


def update_follow_up(
    follow_up: FollowUp,
    *,
    done_on: datetime.date | None,
    owner,
    note: str,
    version: int,
    acting_user,
) -> FollowUp:
    """Record a follow-up step's owner, note and the date it was done (not in the future)."""
    with transaction.atomic():
        fresh = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("organization", "person", "owner", "grade__appraisal")
            .get(pk=follow_up.pk)
        )
        if fresh.version != version:
            raise StaleVersion(
                _(
                    "This follow-up was changed by someone else since you opened it (now version "
                    "%(current)s, yours %(yours)s). Reload the page and save again."
                )
                % {"current": fresh.version, "yours": version},
                fresh.version,
            )
        if not can_follow_up(acting_user, fresh):
            raise NotAllowed(_("You do not record the follow-up of this branch's members."))
        if done_on is not None and done_on > timezone.localdate():
            raise AppraisalRefused(_("The date it was done cannot be in the future."))
        if owner is not None and not owner_allowed(owner, fresh):
            raise AppraisalRefused(_("The owner must be someone with a role on this branch."))
        before = {
            "done_on": str(fresh.done_on or ""),
            "owner": fresh.owner.get_username() if fresh.owner else "",
            "note": fresh.note,
        }
        fresh.done_on, fresh.owner, fresh.note = done_on, owner, (note or "").strip()
        after = {
            "done_on": str(fresh.done_on or ""),
            "owner": owner.get_username() if owner else "",
            "note": fresh.note,
        }
        if before == after:
            return fresh
        fresh.version += 1
        fresh.save(update_fields=["done_on", "owner", "note", "version", "updated_at"])
        audit_trail.record_event(
            AuditKind.FOLLOW_UP_SAVED,
            fresh,
            summary=f"{fresh.person.name} {fresh.step}",
            before=before,
            after=after,
            acting_user=acting_user,
            period=fresh.grade.appraisal.period_id,
        )
    return fresh
