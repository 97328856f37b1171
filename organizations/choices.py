"""Enumerations of the organizations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARY = "secretary", _("Branch secretary")
    REVIEWER = "reviewer", _("Reviewer")
    AUDITOR = "auditor", _("Auditor")
    # 纪检监察: records negative events on the units below, never on its own unit.
    INSPECTOR = "inspector", _("Inspector (discipline)")
    # The finance side: enters and imports business figures (revenue, profit, the regulator's
    # grades), kept apart from the party-building indicators.
    FINANCE = "finance", _("Finance (business figures)")
    ADMINISTRATOR = "administrator", _("Administrator")


class Action(models.TextChoices):
    """What a user wants to do with an object; roles grant actions over a subtree."""

    VIEW = "view", _("View")
    ENTER = "enter", _("Enter data")
    REVIEW = "review", _("Review")
    AUDIT = "audit", _("Audit")
    INSPECT = "inspect", _("Record negative events")
    FIGURES = "figures", _("Enter business figures")
    MANAGE = "manage", _("Manage")


class PersonKind(models.TextChoices):
    MEMBER = "member", _("Full party member")
    PROBATIONARY = "probationary", _("Probationary party member")
    STAFF = "staff", _("Staff (not a party member)")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED = "transferred", _("Transferred out")
    RETIRED = "retired", _("Retired")
    INACTIVE = "inactive", _("Inactive")
