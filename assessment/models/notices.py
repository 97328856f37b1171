"""Notices shown in the portal (and sent by e-mail), and the daily reminder log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import NoticeKind
from .submissions import Submission


class Notice(models.Model):
    """Something a user should know about a submission; rendered in the reader's language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["user", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user}"


class Reminder(models.Model):
    """A deadline reminder sent for a submission on a day: at most one per submission per day."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "day"], name="reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} @ {self.day}"
