"""The rectification part of the demo: items of the latest closed year and the open one, with every
step of the loop represented.

Items are opened by the real service from the stored scores (scored first where a period has none
yet). The latest closed year's items are then moved along as a year of work would have: most
closed and confirmed, some awaiting the reviewer, some in progress with a plan, a few untouched,
and those not closed are overdue. The open year's items are fresh: open, or in progress with a
plan. Idempotent: opening skips what exists, and the items are moved along only once.
"""

import datetime
import hashlib
import random
import uuid

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessment.choices import PeriodStatus
from assessment.models import Period, ScoreRun, SubjectScore
from assessment.services import scores
from core import versions
from core.bulk import update_rows
from rectification import services
from rectification.models import Rectification, RectificationEvent, RectificationEvidence, due_days

SEED = 2016
BATCH = 2000
State = Rectification.State

PLANS = (
    "支部书记牵头，每月召开一次专题学习会，季度末对照指标自查。",
    "制定整改台账，明确责任人和完成时限，每两周向党委报告进展。",
    "组织党员集中补学，完善会议记录和佐证材料归档。",
)
PROGRESS = (
    "已完成前两次专题学习，记录已归档。",
    "整改台账已建立，责任人已落实，正在推进。",
)
CLOSING = (
    "整改措施已全部落实，相关指标已达到要求，佐证材料见附件。",
    "按计划完成整改，建立长效机制，附会议记录和台账。",
)
# A minimal valid PDF: every demo item's evidence is this file (stored once, under its hash).
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


def load_demo_rectifications(*, today: datetime.date | None = None) -> dict[str, int]:
    """Open the demo's items from its scores and move them along; returns counts by state."""
    today = today or timezone.localdate()
    periods = [
        p
        for p in Period.objects.select_related("framework").exclude(status=PeriodStatus.PLANNED)
        if services.eligible(p)
    ]
    for period in periods:
        if not SubjectScore.objects.filter(period=period).exists():
            _score(period)  # sends scores_written, which opens the items
        services.open_for_scores(period.pk)
    if not RectificationEvent.objects.exists():
        users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in=["admin", "reviewer"])
        }
        if len(users) == 2:
            with transaction.atomic():
                for period in periods:
                    _move_along(period, today, users)
    versions.bump_on_commit(services.VERSION)  # the demo writes in bulk, past the services
    counts = dict.fromkeys(State.values, 0)
    counts.update(Rectification.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return counts


def _score(period: Period) -> None:
    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
    scores.run_full_recompute(run.pk, token=run.task_id or str(uuid.uuid4()))


def _move_along(period: Period, today: datetime.date, users: dict) -> None:
    """Give the period's untouched items the history a year of work would have left."""
    items = list(Rectification.objects.filter(period=period, state=State.OPEN).order_by("pk"))
    if not items:
        return
    rng = random.Random(f"{SEED}-{period.kind}-{period.start}")
    # A unit's own secretary works its items; where the demo has none, the administrator
    # (who may enter for any unit) stands in. The group's reviewer decides on closures.
    admin, reviewer = users["admin"], users["reviewer"]
    past = period.status != PeriodStatus.OPEN
    opened = (
        timezone.make_aware(datetime.datetime.combine(period.deadline, datetime.time(9, 0)))
        + datetime.timedelta(days=7)
        if past
        else timezone.now()
    )
    due = opened.date() + datetime.timedelta(days=due_days())
    events: list[RectificationEvent] = []
    evidence: list[RectificationEvidence] = []
    stored = _demo_file()
    for item in items:
        steps = len(events)
        draw = rng.random()
        owner = item.owner or admin
        item.created_at = opened
        item.due_date = due
        if past:
            target = (
                State.CLOSED
                if draw < 0.55
                else State.CLOSURE_REQUESTED
                if draw < 0.7
                else State.IN_PROGRESS
                if draw < 0.88
                else State.OPEN
            )
        else:
            target = State.IN_PROGRESS if draw < 0.3 else State.OPEN
        at = opened
        if target == State.OPEN:
            continue
        at += datetime.timedelta(days=rng.randint(3, 15))
        item.plan = rng.choice(PLANS)
        item.state = State.IN_PROGRESS
        events.append(_event(item, State.OPEN, State.IN_PROGRESS, owner, at, ""))
        if target in (State.CLOSURE_REQUESTED, State.CLOSED):
            at += datetime.timedelta(days=rng.randint(20, 50))
            item.progress_note = rng.choice(PROGRESS)
            item.closing_note = rng.choice(CLOSING)
            item.closure_requested_by = owner
            item.closure_requested_at = at
            item.state = State.CLOSURE_REQUESTED
            events.append(
                _event(
                    item, State.IN_PROGRESS, State.CLOSURE_REQUESTED, owner, at, item.closing_note
                )
            )
            evidence.append(
                RectificationEvidence(
                    rectification=item,
                    file=stored["name"],
                    original_name="整改佐证材料.pdf",
                    content_type="application/pdf",
                    size=len(DEMO_PDF),
                    sha256=stored["sha256"],
                    uploaded_by=owner,
                    uploaded_at=at,
                )
            )
        if target == State.CLOSED:
            at += datetime.timedelta(days=rng.randint(2, 10))
            item.confirmed_by = reviewer
            item.confirmed_at = at
            item.state = State.CLOSED
            events.append(_event(item, State.CLOSURE_REQUESTED, State.CLOSED, reviewer, at, ""))
        item.version = 1 + len(events) - steps
        item.updated_at = at
    # Past items that are not closed are overdue: flagged as the daily task would have done.
    for item in items:
        if item.state != State.CLOSED and item.due_date < today:
            item.overdue_notified_at = timezone.make_aware(
                datetime.datetime.combine(
                    item.due_date + datetime.timedelta(days=1), datetime.time(8, 10)
                )
            )
    fields = [
        "created_at",
        "updated_at",
        "due_date",
        "state",
        "plan",
        "progress_note",
        "closing_note",
        "closure_requested_by",
        "closure_requested_at",
        "confirmed_by",
        "confirmed_at",
        "overdue_notified_at",
        "version",
    ]
    # One prepared UPDATE per row (core.bulk): bulk_update's CASE per field and row took most of
    # a minute for the tens of thousands of items every member's weak indicators open.
    update_rows(
        Rectification,
        fields,
        [(item.pk, *(getattr(item, _attribute(name)) for name in fields)) for item in items],
    )
    # bulk_create stamps auto_now_add fields with now: put the historic times back afterwards.
    times = [e.at for e in events]
    RectificationEvent.objects.bulk_create(events, batch_size=BATCH)
    update_rows(
        RectificationEvent, ["at"], [(e.pk, at) for e, at in zip(events, times, strict=True)]
    )
    times = [e.uploaded_at for e in evidence]
    RectificationEvidence.objects.bulk_create(evidence, batch_size=BATCH)
    update_rows(
        RectificationEvidence,
        ["uploaded_at"],
        [(e.pk, at) for e, at in zip(evidence, times, strict=True)],
    )


def _attribute(name: str) -> str:
    """The attribute holding a field's column value (a foreign key's id)."""
    field = Rectification._meta.get_field(name)
    return field.attname


def _event(item, from_state, to_state, by, at, note) -> RectificationEvent:
    return RectificationEvent(
        rectification=item, from_state=from_state, to_state=to_state, by=by, at=at, note=note
    )


def _demo_file() -> dict[str, str]:
    """The demo evidence file, stored once under its hash like any upload."""
    sha256 = hashlib.sha256(DEMO_PDF).hexdigest()
    probe = RectificationEvidence(sha256=sha256)
    name = probe.file.field.generate_filename(probe, "upload")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(DEMO_PDF))
    return {"name": name, "sha256": sha256}
