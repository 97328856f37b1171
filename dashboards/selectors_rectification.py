"""The rectifications of an organization's subtree, for the dashboard.

The rectification app owns its reads (`rectification.selectors.dashboard_summary`); this module
only adapts them, and shows nothing when that app is absent. The summary covers every period:
an item still open since last year matters as much on this year's dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language

from organizations.models import Organization
from partybuild import versions


@dataclass
class RectificationSummary:
    """Counts of the subtree's items and the most urgent open ones."""

    open: int = 0
    overdue: int = 0
    closed: int = 0
    items: list[Any] = field(default_factory=list)
    linked: bool = False  # whether `rectification:detail` resolves


def _linked() -> bool:
    try:
        reverse("rectification:detail", args=[1])
    except NoReverseMatch:
        return False
    return True


def _get(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def rectification_summary(user, organization: Organization) -> RectificationSummary | None:
    """The summary, or None when the rectification app does not provide one."""
    try:
        from rectification.selectors import dashboard_summary
    except ImportError:
        return None
    from rectification.services import VERSION

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
        open=int(_get(summary, "open") or 0),
        overdue=int(_get(summary, "overdue") or 0),
        closed=int(_get(summary, "closed") or 0),
        items=list(_get(summary, "items") or []),
        linked=_linked(),
    )
