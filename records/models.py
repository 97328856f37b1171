"""Records kept as party life happens: meetings and attendance, talks, dues, study hours, member
points and the negative list. Indicators with a source are counted from them.

Every record hangs from an organization, so the access scope applies to it like to anything else;
a record dated inside a closed or locked period is locked with it (`records.services.dates`).
"""

from calendar import monthrange

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessment.models import StoredFile
from organizations.scope import ScopedQuerySet

from .choices import (
    NegativeCategory,
    PointsKind,
    PointsState,
    Presence,
    Severity,
    Source,
    StudyKind,
)


class MeetingPartQuerySet(ScopedQuerySet):
    """Rows of a meeting (attendance, attachments) are in scope with their meeting."""

    scope_path_field = "meeting__organization__path"


class Meeting(models.Model):
    """One meeting of organizational life: 支部党员大会, 支委会, 党小组会, 党课, 主题党日, …

    `kind` is the code of a meeting kind declared in the framework's records section.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    party_group = models.CharField(_("party group"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    host = models.ForeignKey(
        "organizations.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    # Optimistic locking, as for submissions: a save naming an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["organization", "date"], name="meeting_org_date"),
            models.Index(fields=["date", "kind"], name="meeting_date_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class Attendance(models.Model):
    """Whether one person expected at a meeting was there; an excused absence has a reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        "organizations.Person", on_delete=models.PROTECT, related_name="attendance"
    )
    presence = models.CharField(
        _("attendance"), max_length=10, choices=Presence.choices, default=Presence.PRESENT
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "person__employee_number"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once"),
            models.CheckConstraint(
                condition=~Q(presence="excused") | ~Q(reason=""), name="excused_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["person", "presence"], name="attendance_person")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.presence}"


def attachment_path(instance: "MeetingAttachment", filename: str) -> str:
    # Stored under the hash, like evidence: names from users never reach the file system.
    return f"records/{instance.sha256[:2]}/{instance.sha256}"


class MeetingAttachment(StoredFile):
    """A photo or PDF of a meeting (sign-in sheet, minutes), checked by content, kept by hash."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "uploaded_at"]
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")


class Talk(models.Model):
    """A heart-to-heart talk (谈心谈话): who talked with whom, when, about what."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="talks",
        verbose_name=_("organization"),
    )
    talker = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="talks_held",
        verbose_name=_("talked"),
    )
    partner = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="talks_received",
        verbose_name=_("with"),
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("heart-to-heart talk")
        verbose_name_plural = _("heart-to-heart talks")
        indexes = [models.Index(fields=["organization", "date"], name="talk_org_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(talker=models.F("partner")), name="talk_two_people")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class DuesPayment(models.Model):
    """One member's party dues for one month: base, the rate band's rate, due, paid and when.

    `month` is the first day of the month. Paid on time means paid in full by the end of it.
    """

    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="dues",
        verbose_name=_("member"),
    )
    # The member's organization in that month: the scope and the counts go by it.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="dues",
        verbose_name=_("organization"),
    )
    month = models.DateField(_("month"))
    base = models.DecimalField(_("base"), max_digits=10, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    due = models.DecimalField(_("due"), max_digits=10, decimal_places=2)
    paid = models.DecimalField(_("paid"), max_digits=10, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "person__employee_number"]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="dues_month_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_month_first_day"),
        ]
        indexes = [models.Index(fields=["organization", "month"], name="dues_org_month")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m}"

    @property
    def on_time(self) -> bool:
        last = self.month.replace(day=monthrange(self.month.year, self.month.month)[1])
        return bool(
            self.paid is not None
            and self.paid >= self.due
            and self.paid_on
            and self.paid_on <= last
        )


class StudyRecord(models.Model):
    """Hours of study or training one member completed (a course, online learning, a session)."""

    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="study",
        verbose_name=_("member"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="study",
        verbose_name=_("organization"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=StudyKind.choices)
    title = models.CharField(_("title"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        indexes = [models.Index(fields=["organization", "date"], name="study_org_date")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="study_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class PointsEntry(models.Model):
    """One line of a member's monthly points ledger (党员积分).

    Lines of kind *rule* are counted from attendance and activities by the framework's rules and
    replaced whenever the month is counted again; awards and deductions are entered with a reason
    by the secretary and count once approved from above.
    """

    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="points",
        verbose_name=_("member"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="points",
        verbose_name=_("organization"),
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    rule = models.CharField(_("rule"), max_length=40, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PointsState.choices, default=PointsState.APPROVED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "person__employee_number", "id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [
            models.Index(fields=["organization", "month"], name="points_org_month"),
            models.Index(fields=["person", "month"], name="points_person_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="points_month_first_day"),
            models.CheckConstraint(
                condition=Q(kind="rule") | ~Q(reason=""), name="points_manual_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.points:+}"


class PointsPublication(models.Model):
    """A quarter's points published to the branch (公示): the ledger as it stood then."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="points_publications",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    totals = models.JSONField(_("totals"), default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("points publication")
        verbose_name_plural = _("points publications")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"], name="points_published_once"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="points_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} Q{self.quarter}"


class NegativeEvent(models.Model):
    """An event on the negative list (负面清单), entered by an inspector above the unit."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="negative_events",
        verbose_name=_("organization"),
    )
    category = models.CharField(_("category"), max_length=20, choices=NegativeCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    decision_number = models.CharField(_("decision document number"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("negative event")
        verbose_name_plural = _("negative events")
        indexes = [models.Index(fields=["organization", "date"], name="negative_org_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class EventPartQuerySet(ScopedQuerySet):
    scope_path_field = "event__organization__path"


def decision_path(instance: "DecisionDocument", filename: str) -> str:
    return f"records/{instance.sha256[:2]}/{instance.sha256}"


class DecisionDocument(StoredFile):
    """The decision document of a negative event (PDF or a scan), kept by hash."""

    event = models.ForeignKey(NegativeEvent, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=decision_path, max_length=200)

    objects = EventPartQuerySet.as_manager()

    class Meta:
        ordering = ["event", "uploaded_at"]
        verbose_name = _("decision document")
        verbose_name_plural = _("decision documents")


class MeetingReminder(models.Model):
    """A reminder sent that an organization has not held a kind of meeting in a month: at most
    one per organization, kind and month, so a second run of the task sends nothing again."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    month = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "month"], name="meeting_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.month:%Y-%m}"
