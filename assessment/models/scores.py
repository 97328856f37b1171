"""Stored scores: each subject's result with its indicators, the roll-ups over the tree, the
settings the roll-ups follow and the runs that compute them.

Scores and roll-ups are derived data. A run replaces a period's rows wholesale (delete and insert
in one transaction), so running it again gives the same rows; nothing here is edited by hand.
Every row hangs from an organization, so the access scope applies as to anything else.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..scoring import values
from .periods import Period
from .submissions import Submission


class SubjectScore(models.Model):
    """One subject's score for one period: total, grade, stars, dimensions and indicators.

    Only counted submissions (approved or locked) have one. `inputs` holds the values scored
    (the reviewer's where set) by indicator code; with the period's framework version (immutable
    once published) and the pure engine, that is the whole provenance: scoring the inputs again
    gives every rule and intermediate number (the API's detail does). The results are packed per
    subject, not one row per indicator: `indicators` maps a code to `INDICATOR_FIELDS`,
    `dimensions` a dimension code to `DIMENSION_FIELDS` (for the dimensions scored for the
    subject's kind). A period of 10,000 subjects × 120 indicators is then 10,000 rows to replace,
    not 1.2 million (docs/scoring.md has the measurements behind this).
    """

    INDICATOR_FIELDS = ("points", "max", "fraction", "status", "rectify", "triggered")
    DIMENSION_FIELDS = ("points", "max", "also_points", "also_max", "bonus", "share")

    class Status(models.TextChoices):
        """What became of one indicator's value."""

        SCORED = "scored", _("Scored")
        MISSING = "missing", _("Missing")
        INVALID = "invalid", _("Invalid")
        NOT_APPLICABLE = values.NOT_APPLICABLE, _("Not applicable")

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="score", verbose_name=_("submission")
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("period"),
        db_index=False,  # the (period, organization) index serves
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    subject_kind = models.CharField(_("subject kind"), max_length=40)
    subject_unit = models.CharField(_("unit"), max_length=20)
    state = models.CharField(_("state when scored"), max_length=20)
    total = models.FloatField(_("total"))
    base = models.FloatField(_("weighted points"))
    bonus = models.FloatField(_("bonus points"))
    max = models.FloatField(_("maximum"))
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    vetoes = models.JSONField(_("vetoes"), default=list, blank=True)
    dimensions = models.JSONField(_("dimensions"), default=dict, blank=True)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    inputs = models.JSONField(_("values scored"), default=dict, blank=True)
    missing = models.PositiveSmallIntegerField(_("missing values"), default=0)
    rectify = models.PositiveSmallIntegerField(_("indicators to rectify"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "subject_kind", "-total", "submission"]
        verbose_name = _("subject score")
        verbose_name_plural = _("subject scores")
        indexes = [
            models.Index(fields=["period", "organization"], name="subjectscore_period_org"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.total:g}"

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


class Rollup(models.Model):
    """An organization's score over its subtree for one period and one dimension.

    `dimension` is a dimension code, or "" for the total. Scores are on the scale of the
    framework's total. `explanation` says how the row was made: the own score and its weight, the
    children with their weights and scores, and (total row) what was missing.
    """

    # No database constraints on these two: the rows are derived, written in bulk by the roll-up
    # service from existing rows, and checking two constraints per row cost more than the
    # insert itself (docs/scoring.md). Deleting a period or an organization still removes them.
    period = models.ForeignKey(
        Period,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("period"),
        db_constraint=False,
        db_index=False,  # the unique (period, organization, dimension) index serves
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
        db_constraint=False,
    )
    dimension = models.CharField(_("dimension"), max_length=40, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    own_score = models.FloatField(_("own score"), null=True, blank=True)
    children_score = models.FloatField(_("children's score"), null=True, blank=True)
    members = models.PositiveIntegerField(_("party members"), default=0)
    expected = models.PositiveIntegerField(_("expected submissions"), default=0)
    approved = models.PositiveIntegerField(_("approved submissions"), default=0)
    completeness = models.FloatField(_("completeness"), null=True, blank=True)
    flagged = models.BooleanField(_("missing submissions flagged"), default=False)
    rank_siblings = models.PositiveIntegerField(_("rank among siblings"), null=True, blank=True)
    rank_peers = models.PositiveIntegerField(_("rank among peers"), null=True, blank=True)
    change = models.FloatField(_("change since the previous period"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    # The total row's party building over the subtree: every own total without its business
    # results, on a scale of 100, rolled up alike (what the effectiveness analysis compares).
    party_building = models.FloatField(_("party building"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "dimension", "organization__path"]
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization", "dimension"], name="rollup_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.dimension or 'total'}: {self.score}"

    @property
    def bonus(self) -> float:
        """The bonus points within a total row's score (0 for dimension rows, where there are
        none, and for rows rolled up before the bonus was recorded)."""
        return float((self.explanation or {}).get("bonus") or 0.0)

    @property
    def base(self) -> float | None:
        """The score without its bonus: what is measured against the framework's total."""
        return None if self.score is None else values.rounded(self.score - self.bonus)


class RollupSettings(models.Model):
    """How the scores of a framework (every version of one code) roll up the tree.

    A choice of the group administrators about aggregation, not part of what a unit is assessed
    on, so it lives beside the versioned framework rather than in it. Every roll-up row records
    the settings it was computed with.
    """

    class Children(models.TextChoices):
        EQUAL = "equal", _("Equally")
        MEMBERS = "members", _("By party members")

    class Missing(models.TextChoices):
        ZERO = "zero", _("Count as zero")
        FLAG = "flag", _("Leave out and flag")

    framework_code = models.CharField(_("framework code"), max_length=40, unique=True)
    own_weight = models.FloatField(
        _("weight of the own score"),
        default=0.3,
        help_text=_("From 0 to 1; the children's combined score gets the rest."),
    )
    children = models.CharField(
        _("children weighted"), max_length=10, choices=Children.choices, default=Children.EQUAL
    )
    missing = models.CharField(
        _("missing submissions"), max_length=10, choices=Missing.choices, default=Missing.ZERO
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["framework_code"]
        verbose_name = _("roll-up settings")
        verbose_name_plural = _("roll-up settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(own_weight__gte=0) & Q(own_weight__lte=1),
                name="rollupsettings_own_weight_0_1",
            ),
            models.CheckConstraint(
                condition=Q(children__in=["equal", "members"]), name="rollupsettings_children"
            ),
            models.CheckConstraint(
                condition=Q(missing__in=["zero", "flag"]), name="rollupsettings_missing"
            ),
        ]

    def __str__(self) -> str:
        return self.framework_code


class ScoreRun(models.Model):
    """One full recompute of a period's scores and roll-ups, with its progress.

    At most one run per period is pending or running (a partial unique constraint: the database
    refuses a second). The executing tasks hold a lease they renew as they go (while chunks wait
    in the queue it covers the wait); a run whose lease ran out (its worker died) is started
    again by the reaper (core.jobs) or taken over by a new request. A pending run with no
    task is a period marked for recompute (e.g. the broker was down when a submission was
    approved); the nightly run picks it up.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Started by an administrator")
        COMMAND = "command", _("manage.py rollup")
        NIGHTLY = "nightly", _("Nightly recompute")
        FIRST_APPROVAL = "first_approval", _("First approval of the period")
        BROKER_DOWN = "broker_down", _("Task queue unavailable at approval")
        SETTINGS = "settings", _("Roll-up settings changed")
        TASK_FAILED = "task_failed", _("Scoring failed at approval")

    class Step(models.TextChoices):
        SCORING = "scoring", _("Scoring subjects")
        ROLLUP = "rollup", _("Rolling up the tree")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="score_runs", verbose_name=_("period")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["pending", "running"]),
                name="scorerun_one_active_per_period",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="scorerun_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.get_status_display()} {self.progress}%"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class ScoreRunChunk(models.Model):
    """One range of a run's submissions, scored by a task of its own so that a full recompute
    uses every worker. The run's last chunk to finish starts the roll-up."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    lo = models.BigIntegerField()  # submission ids in [lo, hi)
    hi = models.BigIntegerField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set while a task scores the chunk and renewed as it runs (core.jobs): a chunk silent
    # for too long lost its worker and is sent again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="scorerunchunk_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.number} [{self.lo}, {self.hi})"
