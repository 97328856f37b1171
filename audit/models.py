"""The append-only, hash-chained audit trail.

Every entry stores the hash of the entry before it and a hash over its own content, so altering,
inserting or removing a row anywhere breaks the chain from that row on (`services.verify_chain`).
The model refuses updates and deletes; on PostgreSQL a trigger refuses them too.

Foreign keys carry no database constraint and never cascade: deleting a user, an organization or
a period must neither change nor delete audit rows. The hash covers the plain id columns and the
actor's name, not the related rows, so the chain stays verifiable whatever happens to them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    """The known kinds; `record` accepts others (a new module may add its own before this list)."""

    VALUE_CHANGED = "value.changed", _("Values changed")
    SUBMISSION_TRANSITION = "submission.transition", _("Submission workflow")
    EVIDENCE_ADDED = "evidence.added", _("Evidence added")
    EVIDENCE_REMOVED = "evidence.removed", _("Evidence removed")
    FRAMEWORK_LOADED = "framework.loaded", _("Framework loaded")
    FRAMEWORK_PUBLISHED = "framework.published", _("Framework published")
    FRAMEWORK_ARCHIVED = "framework.archived", _("Framework archived")
    FRAMEWORK_CLONED = "framework.cloned", _("Framework cloned")
    FRAMEWORK_CHANGED = "framework.changed", _("Framework changed")
    PERIOD_CREATED = "period.created", _("Period created")
    PERIOD_OPENED = "period.opened", _("Period opened")
    PERIOD_CLOSED = "period.closed", _("Period closed")
    ORGANIZATION_CREATED = "organization.created", _("Organization created")
    ORGANIZATION_MOVED = "organization.moved", _("Organization moved")
    ROLE_ASSIGNED = "role.assigned", _("Role assigned")
    ROLE_REVOKED = "role.revoked", _("Role revoked")
    IMPORT_COMMITTED = "import.committed", _("Import committed")
    LOGIN_LOCKED_OUT = "login.locked_out", _("Login locked out")
    DIRECTORY_ACCOUNT_CREATED = "signon.account.created", _("Directory account created")
    DIRECTORY_ACCOUNT_CHANGED = "signon.account.changed", _("Directory account updated")
    REPORT_GENERATED = "report.generated", _("Report generated")
    REPORT_SCHEDULE_SAVED = "report.schedule.saved", _("Report schedule saved")
    REPORT_SCHEDULE_DEACTIVATED = "report.schedule.deactivated", _("Report schedule deactivated")
    RECTIFICATION_CREATED = "rectification.created", _("Rectification created")
    RECTIFICATION_TRANSITION = "rectification.transition", _("Rectification workflow")
    ROLLUP_SETTINGS_SAVED = "rollup.settings.saved", _("Roll-up settings saved")
    RECORD_SAVED = "record.saved", _("Record saved")
    RECORD_DELETED = "record.deleted", _("Record deleted")
    RECORDS_IMPORTED = "records.imported", _("Records imported")
    POINTS_DECIDED = "points.decided", _("Points award or deduction decided")
    POINTS_PUBLISHED = "points.published", _("Points published")
    COUNTED_OVERRIDDEN = "value.counted.overridden", _("Counted value overridden")
    TITLE_DECIDED = "title.decided", _("Title confirmed or withheld")
    STARS_DECIDED = "stars.decided", _("Star rating confirmed")
    APPRAISAL_SAVED = "appraisal.saved", _("Member appraisal changed")
    APPRAISAL_APPROVED = "appraisal.approved", _("Member appraisal approved")
    FOLLOW_UP_SAVED = "follow_up.saved", _("Follow-up recorded")
    SECRETARY_REPORT_SAVED = "secretary_report.saved", _("Secretary's report saved")
    SECRETARY_REPORT_RATED = "secretary_report.rated", _("Secretary's report rated")
    TERM_SAVED = "term.saved", _("Term figures entered")
    RESULTS_EXPORTED = "results.exported", _("Results exported")
    FIGURES_SAVED = "business.figures.saved", _("Business figures entered")
    MEASURE_DEFINED = "business.measure.defined", _("Business measure defined")
    MEASURE_DEACTIVATED = "business.measure.deactivated", _("Business measure deactivated")
    FIGURES_IMPORTED = "business.figures.imported", _("Business figures imported")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled", _("Second factor enrolled")
    SECOND_FACTOR_RESET = "second_factor.reset", _("Second factor reset")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    """All entries, unrestricted, and no way to change or remove them in bulk.

    Who may read which entries is decided where the trail is read (`auditing.selectors`), by the
    portal's access scope: the trail sits below the organizations and knows nothing of roles.
    """

    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")


class AuditEntry(models.Model):
    """One recorded event: who, when, what, before and after, from which address."""

    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    period = models.ForeignKey(
        "assessment.Period",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("period"),
    )
    target = models.CharField(_("target"), max_length=200, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["organization", "at"], name="audit_org_at"),
            # The columns the auditors' list sorts by, each with the id that breaks its ties: a
            # page of a trail of millions is then read off an index, never sorted whole.
            models.Index(fields=["kind", "id"], name="audit_kind_id"),
            models.Index(fields=["actor_name", "id"], name="audit_actor_id"),
            models.Index(fields=["target", "id"], name="audit_target_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        if not self.hash:
            raise AppendOnlyError("audit entries are written by audit.services.record")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    @property
    def kind_label(self) -> str:
        try:
            return AuditKind(self.kind).label
        except ValueError:
            return self.kind


class VerifyRun(models.Model):
    """The outcome of one walk of the chain: what the auditors' badge shows without re-walking.

    It is also the checkpoint against a truncated tail: the next walk must find the last entry
    this one saw, with the same hash.
    """

    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    intact = models.BooleanField(_("intact"))
    entries = models.PositiveBigIntegerField(_("entries"), default=0)
    last_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)
    broken_id = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'broken'}"
