"""Opening rectification items from scores, moving them to closure, and flagging overdue ones.

open → in_progress (a plan or progress is written) → closure_requested (closing note and evidence)
→ closed (a reviewer confirms) or back to in_progress (a reviewer rejects, with a reason).
Secretaries (ENTER on the unit) plan and request closure; reviewers (REVIEW from an ancestor) may
also update an item and decide on closure, but never on a request they made themselves. Every step
is kept in `RectificationEvent` and in the audit trail, in the same transaction as the change.
"""

import contextlib
import datetime
import itertools
import logging
import os
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.choices import NoticeKind, PeriodStatus, RubricKind
from assessment.models import Indicator, Notice, Period, SubjectScore
from assessment.services.evidence import (
    EvidenceRefused,
    inspect_upload,
    original_name,
    store_content,
)
from assessment.services.scores import PUBLISH_RETRY
from audit import services as audit_trail
from core import jobs, versions
from core.bulk import insert_rows
from core.retry import RETRYABLE
from organizations.choices import Action, Role
from organizations.models import RoleAssignment
from organizations.scope import can, can_from_above
from organizations.selectors import active_role_holders

from .models import (
    OpeningRun,
    Rectification,
    RectificationEvent,
    RectificationEvidence,
    due_days,
)

logger = logging.getLogger(__name__)

BATCH = 2000
READ_BATCH = 500  # stored subject scores read at a time when opening items
MAX_FILES = 10
State = Rectification.State
Source = Rectification.Source
EDITABLE = (State.OPEN, State.IN_PROGRESS)
# The data version of the items (core.versions): dashboards cache their summaries by it.
VERSION = "rectification"


class RectificationError(ValueError):
    """A step the loop does not allow now; the message is for the user."""


class NotAllowed(RectificationError):
    """The user may see the item but not take this step."""


class StaleVersion(RectificationError):
    """A change based on an older version of the item; nothing was written."""

    def __init__(self, current: int) -> None:
        super().__init__(
            _(
                "Someone changed this rectification item after you opened it (now version "
                "%(v)d). Nothing was saved: check the item and enter your change again."
            )
            % {"v": current}
        )
        self.current = current


# Opening ------------------------------------------------------------------------------------


def eligible(period: Period) -> bool:
    """Whether scores of this period open items: open periods, and the latest closed one.

    Older closed and locked periods are history: opening their items would flood units with
    work nobody can act on (the demo's three closed years would make tens of thousands).
    """
    if period.status == PeriodStatus.OPEN:
        return True
    if period.status != PeriodStatus.CLOSED:
        return False
    return not Period.objects.filter(
        framework__code=period.framework.code,
        kind=period.kind,
        start__gt=period.start,
        status__in=[PeriodStatus.CLOSED, PeriodStatus.LOCKED],
    ).exists()


@dataclass(frozen=True)
class Finding:
    """One indicator of one organization's score that needs rectifying."""

    organization_id: int
    submission_id: int
    code: str
    source: str
    fraction: float | None
    points: float | None
    max: float | None
    threshold: float | None


def findings(rows: list[dict[str, Any]], rubrics: dict[str, tuple[str, float]]) -> list[Finding]:
    """What to rectify in stored scores (a pure function of the rows and the rubrics).

    `rubrics` maps an indicator code to (rubric kind, rectification threshold). A veto that
    fired, a deduction actually taken (points below the maximum) and a share of points below the
    threshold each open an item; a veto wins over a deduction over a low share.
    """
    found = []
    for row in rows:
        for code, packed in row["indicators"].items():
            ind = dict(zip(SubjectScore.INDICATOR_FIELDS, packed, strict=False))
            if ind.get("status") == SubjectScore.Status.NOT_APPLICABLE:
                continue
            kind, threshold = rubrics.get(code, ("", None))
            fraction = ind.get("fraction")
            if kind == RubricKind.VETO:
                source = Source.VETO if ind.get("triggered") else None
            elif (
                kind == RubricKind.DEDUCTION
                and ind.get("status") == SubjectScore.Status.SCORED
                and fraction is not None
                and fraction < 1
            ):
                source = Source.DEDUCTION
            elif ind.get("rectify"):
                source = Source.THRESHOLD
            else:
                source = None
            if source is None:
                continue
            found.append(
                Finding(
                    organization_id=row["organization_id"],
                    submission_id=row["submission_id"],
                    code=code,
                    source=source,
                    fraction=fraction,
                    points=ind.get("points"),
                    max=ind.get("max"),
                    threshold=threshold if source != Source.VETO else None,
                )
            )
    return found


def open_for_scores(period_id: int, submission_ids: list[int] | None = None) -> int:
    """Open an item for every indicator to rectify in the period's scores: of organizations and
    of their units (leading groups, departments, members, staff), each owned by the secretary of
    the organization the subject belongs to.

    Set-based and idempotent, in one transaction: on PostgreSQL one statement reads the packed
    results, finds what to rectify and inserts the new items (`_open_in_sql`); elsewhere the
    same in Python (`findings`, then one bulk insert). A concurrent run adds nothing twice (on
    PostgreSQL the openings of a period wait for each other; elsewhere conflicts are ignored).
    An item already there is left as it is, even when a rescore no longer calls for it: the unit
    shows the improvement with evidence and a reviewer confirms closure. Returns how many items
    were opened.
    """
    if submission_ids is not None and not submission_ids:
        return 0
    period = Period.objects.select_related("framework").filter(pk=period_id).first()
    if period is None or not eligible(period):
        return 0
    rubrics = _rubrics(period)
    due = timezone.localdate() + datetime.timedelta(days=due_days())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            opened, sample = _open_in_sql(period_id, submission_ids, rubrics, due)
        else:
            opened, sample = _open_in_python(period_id, submission_ids, rubrics, due)
        if not opened:
            return 0
        audit_trail.record(
            "rectification.created",
            period=period,
            target=f"period:{period.pk}",
            summary=ngettext(
                "%(count)d rectification item opened from scores",
                "%(count)d rectification items opened from scores",
                opened,
            )
            % {"count": opened},
            after={"items": sample},
        )
        versions.bump_on_commit(VERSION)
    return opened


AUDIT_SAMPLE = 500  # items named in the audit entry of an opening ("organization:indicator")
OPENING_LOCK = 0x72656374  # "rect": with the period's id, the advisory lock of its openings


def _open_in_python(
    period_id: int,
    submission_ids: list[int] | None,
    rubrics: dict[str, tuple[str, float]],
    due: datetime.date,
) -> tuple[int, list[str]]:
    """The opening on databases other than PostgreSQL: one read of the scores (in batches), one
    of the existing items, one of the units' secretaries, one bulk insert. Returns how many
    items were opened and the first of them by name, as `_open_in_sql` does."""
    # Not only rows with `rectify` > 0: a deduction taken above the threshold is not counted there.
    scores = SubjectScore.objects.filter(period_id=period_id)
    if submission_ids is not None:
        scores = scores.filter(submission_id__in=submission_ids)
    found: list[Finding] = []
    # In batches: the indicator results of a whole large period would all be held at once.
    rows = scores.order_by().values("organization_id", "submission_id", "indicators")
    stream = rows.iterator(chunk_size=READ_BATCH)
    while batch := list(itertools.islice(stream, READ_BATCH)):
        found.extend(findings(batch, rubrics))
    if not found:
        return 0, []
    org_ids = {f.organization_id for f in found}
    existing = set(
        Rectification.objects.filter(period_id=period_id, organization_id__in=org_ids).values_list(
            "submission_id", "indicator_code"
        )
    )
    new = [f for f in found if (f.submission_id, f.code) not in existing]
    if not new:
        return 0, []
    owners = _unit_secretaries({f.organization_id for f in new})
    _insert_items(new, period_id, owners, due)
    return len(new), sorted(f"{f.organization_id}:{f.code}" for f in new)[:AUDIT_SAMPLE]


def _rubrics(period: Period) -> dict[str, tuple[str, float]]:
    default = period.framework.rectify_below
    return {
        code: (kind, below if below is not None else default)
        for code, kind, below in Indicator.objects.filter(framework=period.framework).values_list(
            "code", "rubric_kind", "rectify_below"
        )
    }


# What a finding sets; every other column takes the model's default for a new item.
_FROM_FINDING = (
    "organization",
    "submission",
    "indicator_code",
    "source",
    "fraction_at_opening",
    "points_at_opening",
    "max_points",
    "threshold",
    "owner",
)


def _fixed_columns(period_id: int, due: datetime.date) -> tuple[list, tuple]:
    """Every column of a new item, those a finding sets first (`_FROM_FINDING`), and the values
    of the others (database-ready)."""
    meta = Rectification._meta
    varying = [meta.get_field(name) for name in _FROM_FINDING]
    fixed = [f for f in meta.concrete_fields if not f.primary_key and f not in varying]
    template = Rectification(period_id=period_id, due_date=due)
    defaults = tuple(f.get_db_prep_save(f.pre_save(template, True), connection) for f in fixed)
    return [*varying, *fixed], defaults


def _insert_items(
    new: list[Finding], period_id: int, owners: dict[int, int], due: datetime.date
) -> None:
    """Insert the items in one bulk write (bulk_create spends a minute preparing the values of
    a large period); an item another run inserted meanwhile is skipped by the unique (period,
    subject, indicator) constraint."""
    fields, defaults = _fixed_columns(period_id, due)
    rows = (
        (
            f.organization_id,
            f.submission_id,
            f.code,
            str(f.source),
            f.fraction,
            f.points,
            f.max,
            f.threshold,
            owners.get(f.organization_id),
            *defaults,
        )
        for f in new
    )
    insert_rows(Rectification, [f.column for f in fields], rows, ignore_conflicts=True)


def _truthy(element: str) -> str:
    """SQL for Python's truth of a JSON element, as `findings` tests it (`if ind.get(...)`): not
    missing, null, false, a zero, an empty string, list or object. The booleans the scoring
    writes are settled by the first comparisons."""
    falsy = "ARRAY['null', 'false', '0', '\"\"', '[]', '{}']::jsonb[]"
    return (
        f"CASE {element} WHEN 'true' THEN true WHEN 'false' THEN false "
        f"ELSE NOT ({element} = ANY ({falsy})) END"
    )


def _open_in_sql(
    period_id: int,
    submission_ids: list[int] | None,
    rubrics: dict[str, tuple[str, float]],
    due: datetime.date,
) -> tuple[int, list[str]]:
    """The opening on PostgreSQL in one statement: the packed results unnested in the database
    (`jsonb_each`), the rules of `findings` as SQL, the owner joined, the new items inserted
    beside those already there, counted, and the first of them by name returned for the audit
    entry; under a lock per period, so that two openings of it wait for each other.

    Read, decoded and re-encoded in Python, the 1.2 M results of 10,000 organizations cost more
    than the recompute that wrote them (docs/benchmarks.md, issue 19). `findings` stays the
    definition: tests/rectification/test_opening_sql.py compares both on generated results.
    """
    fields, defaults = _fixed_columns(period_id, due)
    quote = connection.ops.quote_name
    at = SubjectScore.INDICATOR_FIELDS.index

    def element(name: str) -> str:
        return f"(f.packed -> {at(name)})"

    def number(name: str) -> str:  # a number or null, as the scoring writes them
        return f"(f.packed ->> {at(name)})::float8"

    status = f"(f.packed ->> {at('status')})"

    varying = len(_FROM_FINDING)
    scores = SubjectScore.objects.filter(period_id=period_id)
    if submission_ids is not None:
        scores = scores.filter(submission_id__in=submission_ids)
    owners, owner_params = (
        RoleAssignment.objects.filter(
            role=Role.SECRETARY,
            user__is_active=True,
            organization_id__in=scores.values("organization_id"),
        )
        .order_by("organization_id", "pk")  # the first secretary, as `_unit_secretaries`
        .distinct("organization_id")
        .values_list("organization_id", "user_id")
        .query.sql_with_params()
    )
    items = quote(Rectification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [OPENING_LOCK, period_id % 2**31])
    # Openings of the period wait for each other here, so a period with no item yet is filled
    # without checking for conflicts: ON CONFLICT makes every insert speculative, a third more
    # work. Items already there are skipped by the unique index, one probe per finding (an
    # anti-join against the table being filled was planned as a nested loop over its heap when
    # the statistics said it was empty, and grew with every row inserted).
    first = not Rectification.objects.filter(period_id=period_id).exists()
    skip_existing = "" if first else "ON CONFLICT DO NOTHING"
    only = "AND s.submission_id = ANY(%s::bigint[])" if submission_ids is not None else ""
    sql = f"""
        WITH rubric (code, kind, threshold) AS (
            SELECT * FROM unnest(%s::text[], %s::text[], %s::float8[])
        ),
        owner (organization_id, user_id) AS ({owners}),
        found AS (
            SELECT s.organization_id, s.submission_id, e.key AS code, e.value AS packed,
                   r.kind, r.threshold
            FROM {quote(SubjectScore._meta.db_table)} s
            CROSS JOIN LATERAL jsonb_each(s.indicators) e
            LEFT JOIN rubric r ON r.code = e.key
            WHERE s.period_id = %s {only}
        ),
        sourced AS (
            SELECT f.*,
                   CASE
                       WHEN f.kind = %s THEN CASE WHEN {_truthy(element("triggered"))} THEN %s END
                       WHEN f.kind = %s AND {status} = %s
                            AND {number("fraction")} < 1 THEN %s
                       WHEN {_truthy(element("rectify"))} THEN %s
                   END AS source
            FROM found f
            WHERE {status} IS DISTINCT FROM %s
        ),
        inserted AS (
            INSERT INTO {items}
                ({", ".join(quote(field.column) for field in fields)})
            SELECT f.organization_id, f.submission_id, f.code, f.source,
                   {number("fraction")}, {number("points")}, {number("max")},
                   CASE WHEN f.source <> %s THEN f.threshold END,
                   o.user_id,
                   {", ".join(f"%s::{field.db_type(connection)}" for field in fields[varying:])}
            FROM sourced f
            LEFT JOIN owner o ON o.organization_id = f.organization_id
            WHERE f.source IS NOT NULL
            {skip_existing}
            RETURNING organization_id, indicator_code
        )
        SELECT count(*),
               ARRAY(SELECT (organization_id::text || ':' || indicator_code) COLLATE "C" AS name
                     FROM inserted ORDER BY name LIMIT %s)
        FROM inserted
    """
    params = [
        list(rubrics),
        [kind for kind, _threshold in rubrics.values()],
        [threshold for _kind, threshold in rubrics.values()],
        *owner_params,
        period_id,
        *([list(submission_ids)] if submission_ids is not None else []),
        *map(
            str,
            (
                RubricKind.VETO,
                Source.VETO,
                RubricKind.DEDUCTION,
                SubjectScore.Status.SCORED,
                Source.DEDUCTION,
                Source.THRESHOLD,
                SubjectScore.Status.NOT_APPLICABLE,
                Source.VETO,
            ),
        ),
        *defaults,
        AUDIT_SAMPLE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        opened, sample = cursor.fetchone()
    return opened, sample


def _unit_secretaries(org_ids: set[int]) -> dict[int, int]:
    """The default owner of each unit: its first active secretary (by assignment)."""
    holders = active_role_holders(org_ids, [Role.SECRETARY])
    return {org_id: users[0].pk for (_role, org_id), users in holders.items()}


def on_scores_written(sender, *, period_id: int, submission_ids=None, **kwargs) -> None:
    """Receiver of `assessment.signals.scores_written`.

    One approval's subjects are looked at here, in the approval's scoring task; a whole period
    (after a full recompute) in a task of its own, so a recompute is not held up by the items of
    10,000 units. A failure here must not fail the scoring that already committed: it is logged,
    and the next full recompute (nightly for open periods) opens what was missed, since opening
    is idempotent.
    """
    try:
        if submission_ids is None:
            # Sent at once, as the scores it reads are: the signal comes after their commit.
            _send_new_opening(OpeningRun.objects.create(period_id=period_id))
        else:
            open_for_scores(period_id, submission_ids)
    except Exception:
        logger.exception("Opening rectification items for period %s failed", period_id)


def _send_new_opening(opening: OpeningRun) -> None:
    try:
        send_opening(opening)
    except Exception as error:  # the queue is down, or (run eagerly) the opening failed
        logger.exception("Opening rectification items for period %s failed", opening.period_id)
        OpeningRun.objects.filter(pk=opening.pk, status=OpeningRun.Status.QUEUED).update(
            status=OpeningRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )


def send_opening(opening: OpeningRun) -> None:
    from . import tasks

    tasks.open_for_period.apply_async(
        args=[opening.period_id], retry=True, retry_policy=PUBLISH_RETRY
    )


def _opening_owned(opening: OpeningRun):
    return OpeningRun.objects.filter(
        pk=opening.pk, status=OpeningRun.Status.RUNNING, attempts=opening.attempts
    )


def _beat_opening(opening: OpeningRun) -> bool:
    return bool(_opening_owned(opening).update(heartbeat_at=timezone.now()))


def run_opening(period_id: int) -> int:
    """What `rectification.open_for_period` does: claim the period's oldest queued opening and
    open the items while beating; returns how many were opened.

    With an opening running already (a late copy of the message) it does nothing; with none
    queued or running (a direct call) it opens the items untracked, which is idempotent.
    """
    Status = OpeningRun.Status
    opening = OpeningRun.objects.filter(period_id=period_id, status=Status.QUEUED).first()
    now = timezone.now()
    if opening is None or not OpeningRun.objects.filter(pk=opening.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now
    ):
        if OpeningRun.objects.filter(period_id=period_id, status=Status.RUNNING).exists():
            return 0
        return open_for_scores(period_id)
    opening.refresh_from_db(fields=["attempts"])
    try:
        with jobs.beating(partial(_beat_opening, opening)):
            opened = open_for_scores(period_id)
    except RETRYABLE as error:  # the task retries: queued again
        with contextlib.suppress(*RETRYABLE):
            _opening_owned(opening).update(
                status=Status.QUEUED, heartbeat_at=None, error=str(error)[:2000]
            )
        raise
    except Exception as error:
        _opening_owned(opening).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    _opening_owned(opening).update(
        status=Status.DONE, opened=opened, error="", heartbeat_at=None, finished_at=timezone.now()
    )
    return opened


# Permissions --------------------------------------------------------------------------------


def can_enter(user, item: Rectification) -> bool:
    return can(user, Action.ENTER, item.organization)


def can_review(user, item: Rectification) -> bool:
    """Reviewers of an ancestor: a unit never confirms its own rectification."""
    return can_from_above(user, Action.REVIEW, item.organization)


def can_update(user, item: Rectification) -> bool:
    return item.state in EDITABLE and (can_enter(user, item) or can_review(user, item))


def can_request_closure(user, item: Rectification) -> bool:
    return item.state in EDITABLE and can_enter(user, item)


def is_own_request(user, item: Rectification) -> bool:
    """A reviewer looking at the closure they asked for themselves: theirs is not to decide."""
    return (
        item.state == State.CLOSURE_REQUESTED
        and item.closure_requested_by_id == user.pk
        and can_review(user, item)
    )


def can_decide(user, item: Rectification) -> bool:
    return (
        item.state == State.CLOSURE_REQUESTED
        and can_review(user, item)
        and item.closure_requested_by_id != user.pk
    )


# Transitions --------------------------------------------------------------------------------


def _lock(item: Rectification, version: int | None) -> Rectification:
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("organization", "period")
        .get(pk=item.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(locked.version)
    return locked


def _snapshot(item: Rectification) -> dict[str, Any]:
    return {
        "state": item.state,
        "owner": item.owner_id,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "plan": item.plan,
        "progress_note": item.progress_note,
    }


def _save(
    item: Rectification, to_state: str, *, by, note: str, before: dict, fields, shown=()
) -> None:
    from_state = item.state
    item.state = to_state
    item.version += 1
    item.save(update_fields=[*fields, "state", "version", "updated_at"])
    versions.bump_on_commit(VERSION)
    RectificationEvent.objects.create(
        rectification=item,
        from_state=from_state,
        to_state=to_state,
        by=by,
        note=note,
        changed=list(shown),
    )
    audit_trail.record(
        "rectification.transition",
        actor=by,
        organization=item.organization,
        period=item.period,
        target=f"rectification:{item.pk}",
        summary=f"{item.indicator_code}: {State(from_state).label} → {State(to_state).label}",
        before=before,
        after=_snapshot(item),
    )


@transaction.atomic
def update(
    item: Rectification,
    *,
    acting_user,
    version: int | None,
    plan: str | None = None,
    progress_note: str | None = None,
    owner=None,
    due_date: datetime.date | None = None,
) -> Rectification:
    """Change the plan, progress, owner or due date; a plan or progress starts the work."""
    item = _lock(item, version)
    if not (can_enter(acting_user, item) or can_review(acting_user, item)):
        raise NotAllowed(_("You do not work on or review this organization's rectification."))
    if item.state not in EDITABLE:
        raise RectificationError(
            _("Only an open or in-progress item can be changed; this one is %(state)s.")
            % {"state": item.get_state_display()}
        )
    before = _snapshot(item)
    changed = []
    if plan is not None and plan.strip() != item.plan:
        item.plan = plan.strip()
        changed.append("plan")
    if progress_note is not None and progress_note.strip() != item.progress_note:
        item.progress_note = progress_note.strip()
        changed.append("progress_note")
    if owner is not None and owner.pk != item.owner_id:
        if not owner.is_active or not can(owner, Action.ENTER, item.organization):
            raise RectificationError(
                _("The owner must be someone who enters data for %(org)s.")
                % {"org": item.organization.display_name}
            )
        item.owner = owner
        changed.append("owner")
    if due_date is not None and due_date != item.due_date:
        if due_date < timezone.localtime(item.created_at).date():
            raise RectificationError(_("The due date cannot be before the item was opened."))
        item.due_date = due_date
        # A new due date may make the item overdue again later: notify again then.
        item.overdue_notified_at = None
        changed += ["due_date", "overdue_notified_at"]
    if not changed:
        raise RectificationError(_("Nothing was changed."))
    to_state = item.state
    if item.state == State.OPEN and (item.plan or item.progress_note):
        to_state = State.IN_PROGRESS
    shown = [name for name in changed if name != "overdue_notified_at"]
    _save(item, to_state, by=acting_user, note="", before=before, fields=changed, shown=shown)
    return item


@transaction.atomic
def request_closure(
    item: Rectification, *, acting_user, version: int | None, closing_note: str, files=()
) -> Rectification:
    """The unit says the rectification is done: a closing note and at least one evidence file."""
    item = _lock(item, version)
    if not can_enter(acting_user, item):
        raise NotAllowed(_("You do not enter data for this organization."))
    if item.state not in EDITABLE:
        raise RectificationError(
            _("Closure can only be requested for an open or in-progress item.")
        )
    if not closing_note.strip():
        raise RectificationError(_("Write a closing note: what was done and with what result."))
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise RectificationError(_("Attach at most %(n)d files at a time.") % {"n": MAX_FILES})
    if not files and not item.evidence.exists():
        raise RectificationError(_("Attach at least one evidence file."))
    checked = [(f, _inspect(f)) for f in files]  # every file is checked before any is stored
    before = _snapshot(item)
    for uploaded_file, facts in checked:
        _store_evidence(item, uploaded_file, facts, acting_user)
    item.closing_note = closing_note.strip()
    item.closure_requested_by = acting_user
    item.closure_requested_at = timezone.now()
    item.rejection_reason = ""
    _save(
        item,
        State.CLOSURE_REQUESTED,
        by=acting_user,
        note=item.closing_note,
        before=before,
        fields=["closing_note", "closure_requested_by", "closure_requested_at", "rejection_reason"],
    )
    return item


def _inspect(uploaded_file) -> tuple[str, str, int]:
    try:
        return inspect_upload(uploaded_file)
    except EvidenceRefused as refused:
        name = os.path.basename((uploaded_file.name or "").replace("\\", "/"))
        raise RectificationError(f"{name}: {refused}") from refused


def _store_evidence(
    item: Rectification, uploaded_file, facts: tuple[str, str, int], user
) -> RectificationEvidence:
    """Stored under its SHA-256 like submission evidence; the user's file name is only a record."""
    content_type, sha256, size = facts
    evidence = RectificationEvidence(
        rectification=item,
        original_name=original_name(uploaded_file),
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=user,
    )
    store_content(evidence, uploaded_file)
    return evidence


@transaction.atomic
def confirm(
    item: Rectification, *, acting_user, version: int | None, note: str = ""
) -> Rectification:
    """A reviewer of an ancestor confirms the closure the unit requested."""
    item = _lock(item, version)
    _check_decision(item, acting_user)
    before = _snapshot(item)
    item.confirmed_by = acting_user
    item.confirmed_at = timezone.now()
    _save(
        item,
        State.CLOSED,
        by=acting_user,
        note=note.strip(),
        before=before,
        fields=["confirmed_by", "confirmed_at"],
    )
    return item


@transaction.atomic
def reject(item: Rectification, *, acting_user, version: int | None, reason: str) -> Rectification:
    """A reviewer sends a closure request back to work, saying why."""
    item = _lock(item, version)
    _check_decision(item, acting_user)
    if not reason.strip():
        raise RectificationError(_("Say why the closure is rejected."))
    before = _snapshot(item)
    item.rejection_reason = reason.strip()
    _save(
        item,
        State.IN_PROGRESS,
        by=acting_user,
        note=item.rejection_reason,
        before=before,
        fields=["rejection_reason"],
    )
    return item


def _check_decision(item: Rectification, user) -> None:
    if not can_review(user, item):
        raise NotAllowed(_("You do not review this organization."))
    if item.state != State.CLOSURE_REQUESTED:
        raise RectificationError(_("Closure has not been requested for this item."))
    if item.closure_requested_by_id == user.pk:
        raise NotAllowed(_("You requested this closure: another reviewer must decide on it."))


# Overdue ------------------------------------------------------------------------------------


@transaction.atomic
def flag_overdue(today: datetime.date) -> int:
    """Notify owners and the nearest reviewers of items that became overdue, once per item.

    Set-based: one read of the items (locked, so a second run waits and then finds them flagged),
    one of the units' secretaries and one of the reviewers above, bulk writes. Returns how many
    items were flagged.
    """
    items = list(
        Rectification.objects.select_for_update(of=("self",))
        .filter(
            state__in=Rectification.ACTIVE, due_date__lt=today, overdue_notified_at__isnull=True
        )
        .select_related("organization", "period", "owner", "submission")
        .order_by("pk")
    )
    if not items:
        return 0
    now = timezone.now()
    Rectification.objects.filter(pk__in=[i.pk for i in items]).update(overdue_notified_at=now)
    recipients = _overdue_recipients(items)
    pairs = [(user, item) for item in items for user in recipients[item.pk]]
    Notice.objects.bulk_create(
        [
            Notice(
                user=user,
                kind=NoticeKind.RECTIFICATION_OVERDUE,
                submission_id=item.submission_id,
                reason=f"{item.indicator_code} ({item.due_date.isoformat()})",
            )
            for user, item in pairs
        ],
        batch_size=BATCH,
    )
    transaction.on_commit(lambda: _mail_overdue(pairs))
    return len(items)


def _overdue_recipients(items: list[Rectification]) -> dict[int, list]:
    """Per item: its owner (or, with none, the unit's secretaries) and the nearest reviewers."""
    org_ids = {
        org_id for i in items for org_id in (*i.organization.ancestor_ids, i.organization_id)
    }
    holders = active_role_holders(org_ids, [Role.SECRETARY, Role.REVIEWER])
    out: dict[int, list] = {}
    for item in items:
        users = [item.owner] if item.owner and item.owner.is_active else []
        if not users:
            users = list(holders.get((Role.SECRETARY, item.organization_id), ()))
        for ancestor in reversed(item.organization.ancestor_ids):
            if (Role.REVIEWER, ancestor) in holders:
                users += holders[(Role.REVIEWER, ancestor)]
                break
        seen: set[int] = set()
        out[item.pk] = [u for u in users if not (u.pk in seen or seen.add(u.pk))]
    return out


def overdue_text(item: Rectification) -> str:
    return _(
        "The rectification of %(indicator)s for %(organization)s (%(period)s) was due on "
        "%(due)s and is not closed."
    ) % {
        "indicator": item.indicator_code,
        "organization": item.organization.display_name,
        "period": item.period.display_name,
        "due": item.due_date.isoformat(),
    }


def _mail_overdue(pairs: list[tuple[Any, Rectification]]) -> None:
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user, item in pairs:
            if not user.email:
                continue
            url = reverse("rectification:detail", args=[item.pk])
            messages.append(
                (
                    _("partybuild: rectification overdue"),
                    f"{overdue_text(item)}\n\n{url}",
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
            )
    if messages:
        send_mass_mail(messages, fail_silently=True)


def owner_choices(item: Rectification):
    """Active users who may own the item: who enter data for the unit (a role on it or above)."""
    org = item.organization
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role__in=[Role.SECRETARY, Role.ADMINISTRATOR],
            role_assignments__organization_id__in=[*org.ancestor_ids, org.pk],
        )
        .distinct()
        .order_by("username")
    )
