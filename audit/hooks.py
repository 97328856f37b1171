"""What the services of other apps record, one function per event, so each hook is one line.

Call them last in the service's transaction: the append takes the chain's lock (PostgreSQL),
held until commit, so the later it comes the less it serialises. Summaries hold names and codes,
not prose: the kind's label (translated when shown) says what happened.
"""

import hashlib
from typing import Any

from .models import AuditKind
from .services import batch, record

__all__ = ["batch"]  # re-exported: hooked services wrap loops in `audit_trail.batch()`


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def values_saved(submission, changes, codes: dict[int, str], *, acting_user) -> None:
    """One entry per save (not per value): the changed values by indicator code, old and new.

    `changes` are the save's ValueChange rows; `codes` maps their indicator ids to codes.
    """
    if not changes:
        return
    field = changes[0].field
    record(
        AuditKind.VALUE_CHANGED,
        actor=_user(acting_user),
        organization=submission.organization_id,
        period=submission.period_id,
        target=f"submission:{submission.pk}",
        summary=f"{submission.subject_name} v{submission.version} {field}",
        before={codes[c.indicator_id]: c.old for c in changes},
        after={codes[c.indicator_id]: c.new for c in changes},
    )


def submission_transition(submission, step) -> None:
    record(
        AuditKind.SUBMISSION_TRANSITION,
        actor=_user(step.by),
        organization=submission.organization_id,
        period=submission.period_id,
        target=f"submission:{submission.pk}",
        summary=f"{submission.subject_name}: {step.from_state} → {step.to_state}",
        before={"state": step.from_state},
        after={"state": step.to_state, "reason": step.reason},
    )


def evidence_event(kind: str, evidence, *, acting_user) -> None:
    """A file added to or removed from a submission: what it was (name, type, size, hash)."""
    submission = evidence.submission
    facts = {
        "indicator": evidence.indicator.code,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
    }
    record(
        kind,
        actor=_user(acting_user),
        organization=submission.organization_id,
        period=submission.period_id,
        target=f"submission:{submission.pk}",
        summary=f"{submission.subject_name}: {evidence.indicator.code} {evidence.original_name}",
        before=facts if kind == AuditKind.EVIDENCE_REMOVED else None,
        after=facts if kind == AuditKind.EVIDENCE_ADDED else None,
    )


def _framework_label(framework) -> str:
    return f"{framework.code} {framework.version}"


def _framework_event(kind: str, framework, acting_user, *, before=None, after=None) -> None:
    record(
        kind,
        actor=_user(acting_user),
        target=f"framework:{framework.pk}",
        summary=_framework_label(framework),
        before=before,
        after=after,
    )


def framework_loaded(framework, *, replaced: bool, acting_user=None) -> None:
    after = {"status": framework.status, "replaced_draft": replaced}
    _framework_event(AuditKind.FRAMEWORK_LOADED, framework, acting_user, after=after)


def framework_published(framework, *, archived: list[int], acting_user=None) -> None:
    """`archived`: ids of the versions this publication archived."""
    _framework_event(
        AuditKind.FRAMEWORK_PUBLISHED,
        framework,
        acting_user,
        before={"status": "draft"},
        after={"status": framework.status, "archived": archived},
    )


def framework_archived(framework, *, was: str, acting_user=None) -> None:
    _framework_event(
        AuditKind.FRAMEWORK_ARCHIVED,
        framework,
        acting_user,
        before={"status": was},
        after={"status": framework.status},
    )


def framework_cloned(clone, *, source, acting_user=None) -> None:
    before = {"framework": source.pk, "version": source.version}
    _framework_event(AuditKind.FRAMEWORK_CLONED, clone, acting_user, before=before)


def indicator_updated(indicator, before: dict[str, Any], *, acting_user=None) -> None:
    record(
        AuditKind.FRAMEWORK_CHANGED,
        actor=_user(acting_user),
        target=f"indicator:{indicator.pk}",
        summary=f"framework:{indicator.framework_id} {indicator.code}",
        before=before,
        after={name: getattr(indicator, name) for name in before},
    )


def rollup_settings_saved(settings, before: dict[str, Any], *, acting_user) -> None:
    """How a framework code's scores roll up, before and after: every score of it changes."""
    record(
        AuditKind.ROLLUP_SETTINGS_SAVED,
        actor=_user(acting_user),
        target=f"rollup-settings:{settings.pk}",
        summary=settings.framework_code,
        before=before,
        after={name: getattr(settings, name) for name in before},
    )


def period_event(kind: str, period, *, acting_user=None, after=None) -> None:
    record(
        kind,
        actor=_user(acting_user),
        period=period,
        target=f"period:{period.pk}",
        summary=period.name,
        after=after,
    )


def organization_event(kind: str, org, *, before=None) -> None:
    record(
        kind,
        organization=org,
        target=f"organization:{org.pk}",
        summary=f"{org.code} {org.name}",
        before=before,
        after={"parent": org.parent_id, "path": org.path},
    )


def role_event(kind: str, assignment) -> None:
    user = assignment.user
    grant = {"user": user.pk, "username": user.get_username(), "role": assignment.role}
    record(
        kind,
        organization=assignment.organization_id,
        target=f"role:{assignment.pk}",
        summary=f"{user.get_username()} {assignment.role}",
        before=grant if kind == AuditKind.ROLE_REVOKED else None,
        after=grant if kind == AuditKind.ROLE_ASSIGNED else None,
    )


def directory_account(kind: str, user, *, organization=None, before=None, after=None) -> None:
    """A directory sign-in created a portal account or changed what it holds (signon)."""
    record(
        kind,
        actor=user,
        organization=organization,
        target=f"login:{user.get_username()}",
        summary=user.get_username(),
        before=before,
        after=after,
    )


def batch_committed(batch, *, acting_user=None) -> None:
    """An organizations or people import (organizations.ImportBatch) was applied."""
    record(
        AuditKind.IMPORT_COMMITTED,
        actor=_user(acting_user),
        target=f"import:{batch.pk}",
        summary=f"{batch.kind}: {batch.filename}",
        after={"kind": batch.kind, "sha256": batch.sha256, **(batch.summary or {})},
    )


def file_imported(kind: str, filename: str, data: bytes, counts: dict) -> None:
    """An organizations or people file applied from the command line (`import_orgs`,
    `import_people`): an operator's tool, with no batch kept and no portal user."""
    digest = hashlib.sha256(data).hexdigest()
    record(
        AuditKind.IMPORT_COMMITTED,
        target=f"file:{digest[:16]}",
        summary=f"{kind}: {filename} (command line)",
        after={"kind": kind, "sha256": digest, "counts": counts},
    )


def workbook_imported(period_id: int, saved, *, acting_user=None) -> None:
    """An Excel workbook of values was applied; each submission's save has its own entry."""
    record(
        AuditKind.IMPORT_COMMITTED,
        actor=_user(acting_user),
        period=period_id,
        target=f"period:{period_id}",
        summary=f"values: {len(saved)} submissions",
        after={
            "submissions": [s.submission.pk for s in saved],
            "values": sum(s.changed for s in saved),
        },
    )


def record_event(
    kind: str, obj, *, summary: str, before=None, after=None, acting_user, period=None
) -> None:
    """A record of party life (meeting, talk, dues, study, points, negative event) or a result
    (title, stars, appraisal, report, term) saved, deleted or decided: `obj` names its
    organization and is the target by model and id."""
    record(
        kind,
        actor=_user(acting_user),
        organization=obj.organization_id,
        period=period,
        target=f"{obj._meta.model_name}:{obj.pk}",
        summary=summary,
        before=before,
        after=after,
    )


def counted_overridden(submission, changes: dict[str, dict], *, acting_user) -> None:
    """Counted values the secretary overrode, changed the override of, or let follow the count
    again: per indicator code, before and after as {value, counted, reason}."""
    if not changes:
        return
    record(
        AuditKind.COUNTED_OVERRIDDEN,
        actor=_user(acting_user),
        organization=submission.organization_id,
        period=submission.period_id,
        target=f"submission:{submission.pk}",
        summary=f"{submission.subject_name} v{submission.version} {', '.join(sorted(changes))}",
        before={code: change["before"] for code, change in changes.items()},
        after={code: change["after"] for code, change in changes.items()},
    )
