"""The rectifications of an organization's subtree, for the dashboard.

The rectification app owns its reads (`rectification.selectors.dashboard_summary`); this module
keeps them in the cache for the dashboard. The summary covers every period: an item still open
since last year matters as much on this year's dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from core import versions
from organizations.models import Organization
from rectification.selectors import dashboard_summary
from rectification.services import VERSION


@dataclass
class RectificationSummary:
    """Counts of the subtree's items and the most urgent open ones."""

    open: int = 0
    overdue: int = 0
    closed: int = 0
    items: list[Any] = field(default_factory=list)


def rectification_summary(user, organization: Organization) -> RectificationSummary:
    # The organization was read through the scope, so its whole subtree is the reader's: the
    # summary is the same for every reader and is kept until an item changes (or the day does,
    # which makes items overdue).
    summary = versions.remember(
        # The items carry their indicators' names in the reader's language.
        f"rectifications:{organization.pk}:{timezone.localdate().isoformat()}:{get_language()}",
        [VERSION],
        lambda: dashboard_summary(user, organization, None),
    )
    return RectificationSummary(
        open=summary["open"],
        overdue=summary["overdue"],
        closed=summary["closed"],
        items=summary["items"],
    )
