"""What follows a change of records once it is committed: the member points of its month.

`records.sources.records_changed` gathers, per transaction, the months and organizations whose
records changed and sends `records.count_points_after_change` for each month once it commits.
The task calls `count_points_after_change` here: the month's rule lines of those organizations'
members are counted again, set-based (`points.count_points_all`), so a meeting recorded today
moves its members' points today, not at night. A month whose records are shut (its period closed
or locked) is left as it stands, as the nightly count leaves it.

Rule lines feed the values counted from points (`points` sources of person subjects): those
members' submissions are recounted after the lines, so they never read the lines of before.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction

from assessment import sources
from assessment.choices import PeriodStatus
from assessment.models import Period, Submission
from assessment.selectors.frameworks import engine_framework
from assessment.services import counted
from organizations.models import Membership

from ..selectors.ledgers import month_end, month_start, overlapping
from . import points
from .dates import RecordRefused

logger = logging.getLogger(__name__)


def count_points_after_change(month: datetime.date, organization_ids: Iterable[int]) -> int:
    """Count the month's rule lines of the organizations' members again, then the values counted
    from points of those members; answers how many lines were written (0: the month is shut)."""
    first = month_start(month)
    organization_ids = sorted(set(organization_ids))
    with transaction.atomic():
        try:
            written = points.count_points_all(first, organization_ids=organization_ids)
        except RecordRefused:
            logger.info("points of %s not counted again: its records are shut", f"{first:%Y-%m}")
            return 0
    _recount_points_values(first, organization_ids)
    return written


def _recount_points_values(first: datetime.date, organization_ids: list[int]) -> int:
    """Recount the submissions of the members counted, in the periods of the month that count
    points (not locked); one set-based recount per period."""
    people = Membership.objects.filter(
        overlapping(first, month_end(first)), organization_id__in=organization_ids
    ).values("person_id")
    written = 0
    for period in (
        Period.objects.filter(start__lte=month_end(first), end__gte=first)
        .exclude(status=PeriodStatus.LOCKED)
        .select_related("framework")
    ):
        framework = engine_framework(period.framework)
        if not any(i.source.kind == "points" for i in sources.sourced_indicators(framework)):
            continue
        subjects = list(Submission.objects.filter(period=period, person_id__in=people).only("id"))
        if subjects:
            written += counted.recount(period, subjects)
    return written
