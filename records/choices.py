"""Enumerations of the records app. Meeting kinds are not here: they are framework data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class StudyKind(models.TextChoices):
    COURSE = "course", _("Training course")
    ONLINE = "online", _("Online learning")
    SESSION = "session", _("Study session")


class PointsKind(models.TextChoices):
    """Where a line of a member's points ledger comes from."""

    RULE = "rule", _("Counted by a rule")
    AWARD = "award", _("Award")
    DEDUCTION = "deduction", _("Deduction")


class PointsState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class NegativeCategory(models.TextChoices):
    IDEOLOGY = "ideology", _("Ideological incident")
    DISCIPLINE = "discipline", _("Discipline violation")
    INTEGRITY = "integrity", _("Integrity (clean governance)")
    SAFETY = "safety", _("Safety accident")
    STABILITY = "stability", _("Stability and petitions")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    GRAVE = "grave", _("Grave")


class Source(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
