"""Business results as their own data: the measures (revenue, profit, their growth, the
regulator's grades, and those an administrator adds) and each organization's figure per year,
entered or imported by the finance side, apart from the party-building indicators.

Every figure hangs from an organization, so the access scope applies to it like to anything else.
"""

from .figures import BusinessFigure, BusinessMeasure

__all__ = ["BusinessFigure", "BusinessMeasure"]
