"""The framework's standards section, read back through the shape it was validated with.

A period's standards are those of its framework version (`for_period`); an older framework
without the section has none (`StandardsShape()`: no standards, stars or appraisal rules).
"""

from assessment.models import Framework, Period
from assessment.scoring.spec.shape import StandardsShape

__all__ = ["StandardsShape", "for_framework", "for_period", "quota_size"]


def for_framework(framework: Framework) -> StandardsShape:
    """The standards of one framework version (validated when it was loaded)."""
    return StandardsShape.model_validate(framework.standards or {})


def for_period(period: Period) -> StandardsShape:
    return for_framework(period.framework)


def quota_size(share: float, candidates: int) -> int:
    """How many of `candidates` a quota of `share` admits: rounded down, at least one."""
    if candidates <= 0 or share <= 0:
        return 0
    return max(1, int(share * candidates + 1e-9))
