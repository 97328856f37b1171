"""Enumerations of the standards app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Decision(models.TextChoices):
    """Where a proposed result stands: titles, stars and member appraisals."""

    PROPOSED = "proposed", pgettext_lazy("a result awaiting its decision", "Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHHELD = "withheld", _("Withheld")


class AppraisalState(models.TextChoices):
    OPEN = "open", _("Being appraised")
    APPROVED = "approved", _("Approved")


class FollowUpStep(models.TextChoices):
    """What the regulations prescribe for a member appraised 基本合格 or 不合格."""

    TALK = "talk", _("Reminder talk")  # 谈话提醒
    CORRECT = "correct", _("Correction within a time limit")  # 限期改正
    HANDLE = "handle", _("Handling by the organization")  # 组织处置


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RATED = "rated", _("Rated")
