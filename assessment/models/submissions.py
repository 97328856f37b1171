"""Submissions (one subject × one period), their values, evidence, history and transitions.

A subject is an organization (by its kind) or one of the five-strives units inside an
organization: its leading group, a department, a party member or a member of staff. Every
submission hangs from an organization, so the access scope applies to it like to anything else.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..choices import SubjectUnit, SubmissionState
from .framework import Indicator
from .periods import Period


class SubmissionQuerySet(ScopedQuerySet):
    scope_path_field = "organization__path"


class SubmissionPartQuerySet(ScopedQuerySet):
    """Rows of a submission (values, evidence, transitions) are in scope with their submission."""

    scope_path_field = "submission__organization__path"


class Submission(models.Model):
    """One subject's values for one period, moving through the review workflow."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("period")
    )
    subject_kind = models.CharField(_("subject kind"), max_length=40)
    subject_unit = models.CharField(_("unit"), max_length=20, choices=SubjectUnit.choices)
    # The organization the subject belongs to (or is): what the scope and the workflow go by.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("organization"),
    )
    leading_group = models.ForeignKey(
        "organizations.LeadingGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    department = models.ForeignKey(
        "organizations.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    subject_name = models.CharField(_("subject"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    # Optimistic locking: every save of values bumps it; a save naming an older one is refused.
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period", "organization__path", "subject_kind", "subject_name"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "subject_kind", "organization"],
                condition=Q(
                    leading_group__isnull=True, department__isnull=True, person__isnull=True
                ),
                name="submission_org_subject_once",
            ),
            models.UniqueConstraint(
                fields=["period", "subject_kind", "leading_group"],
                condition=Q(leading_group__isnull=False),
                name="submission_leading_group_once",
            ),
            models.UniqueConstraint(
                fields=["period", "subject_kind", "department"],
                condition=Q(department__isnull=False),
                name="submission_department_once",
            ),
            models.UniqueConstraint(
                fields=["period", "subject_kind", "person"],
                condition=Q(person__isnull=False),
                name="submission_person_once",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "state"], name="submission_period_state"),
            models.Index(fields=["organization", "period"], name="submission_org_period"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.period}"


class IndicatorValue(models.Model):
    """The value entered for one indicator of a submission.

    For judgement indicators (`Indicator.assessed`) the secretary's `value` is the
    self-assessment; the reviewer's `reviewed_value` counts once set, and may differ from it only
    with a reason.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.JSONField(_("value"), null=True, blank=True)
    reviewed_value = models.JSONField(_("reviewer's assessment"), null=True, blank=True)
    review_reason = models.TextField(_("reason for the reviewer's assessment"), blank=True)
    # For an indicator with a source: the value counted from records, when, and the
    # secretary's reason for entering a different `value` (empty: the counted value stands).
    counted = models.JSONField(_("counted value"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    override_reason = models.TextField(
        _("reason for overriding the counted value"), blank=True, db_default=""
    )
    # Copied from the subject's last approved period by the entry form's "copy" button and not
    # yet confirmed or changed by the secretary: shown marked, and it keeps the form from being
    # submitted until the secretary looks at it (see `services.copy_values`).
    copied = models.BooleanField(
        _("copied from the last period, not yet confirmed"), default=False, db_default=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SubmissionPartQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "indicator__position"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator"], name="value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.effective!r}"

    @property
    def effective(self):
        return self.reviewed_value if self.reviewed_value is not None else self.value


class ValueChange(models.Model):
    """One change of one value: old → new, who, when. Written by the service that changes it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=20, default="value")
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(help_text=_("The submission version this change made."))

    objects = SubmissionPartQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")
        indexes = [models.Index(fields=["submission", "indicator"], name="change_sub_ind")]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.old!r} → {self.new!r}"


class StoredFile(models.Model):
    """What is kept of an uploaded file beside its content: the content is stored under its
    SHA-256 (the subclass's `file`), the user's name for it only as a record."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Files are stored under their hash: names from users never reach the file system.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(StoredFile):
    """A file supporting one indicator's value; its type is checked by content, its hash kept."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=200)

    objects = SubmissionPartQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "indicator", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class Transition(models.Model):
    """A step of the workflow: who moved the submission from which state to which, and why.

    `values` keeps the effective values at that moment, so a resubmission can show the reviewer
    what changed since it was last returned or approved.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=SubmissionState.choices)
    to_state = models.CharField(max_length=20, choices=SubmissionState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    values = models.JSONField(default=dict)

    objects = SubmissionPartQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    # Reasons the portal writes itself are stored as their source text and translated when read,
    # so each reader sees them in their own language whoever's action wrote them.
    PERIOD_CLOSED = gettext_noop("Period closed")
    SYSTEM_REASONS = frozenset({PERIOD_CLOSED})

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def shown_reason(self) -> str:
        return gettext(self.reason) if self.reason in self.SYSTEM_REASONS else self.reason
