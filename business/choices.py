"""Enumerations of the business app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    """How a measure's figures read: a number (revenue, a growth rate) or a grade (A–D)."""

    NUMBER = "number", _("Number")
    GRADE = "grade", _("Grade (A–D)")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class FigureSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    API = "api", _("Over the API")
    DEMO = "demo", _("Demo (made up)")  # the effectiveness page warns that none of it is evidence


# The regulator's grades, best first, and the number each stands for in the analysis.
GRADES = ("A", "B", "C", "D")
GRADE_VALUES = {"A": 4, "B": 3, "C": 2, "D": 1}
