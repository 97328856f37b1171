"""Celery tasks of the records app: thin wrappers that call services; they retry by the portal's
one policy (`core.retry`)."""

import datetime

from django.utils import timezone

from assessment.services import counted
from core.retry import task

from .services import reminders


# One set-based pass over every organization that holds monthly meetings, once a day.
@task("records.send_meeting_reminders", time_limit=1800)
def send_meeting_reminders() -> int:
    """Daily from the configured day of the month: remind secretaries of the meetings their
    organization has not held this month (once per organization, kind and month)."""
    return reminders.send_meeting_reminders(timezone.localdate())


# Uploaded payroll and study files (organizations.ImportBatch of the records kinds): a whole file
# row by row, half an hour at most, well below the broker's 1-hour visibility timeout.
@task("records.check_import", soft_time_limit=1500, time_limit=1800)
def check_records_import(batch_id: int) -> None:
    """The dry run of an uploaded payroll or study file, for its preview."""
    from .services import imports

    imports.check_batch(batch_id)


@task("records.import_batch", soft_time_limit=1500, time_limit=1800)
def import_records(batch_id: int) -> None:
    """Apply a confirmed payroll or study file (all rows or none)."""
    from .services import imports

    imports.import_batch(batch_id)


@task("records.count_points", time_limit=1800)
def count_points() -> int:
    """Nightly: count every member's points of this month and the last again, set-based over every
    organization (a month whose period is closed or locked keeps its lines)."""
    from .services import points
    from .services.dates import RecordRefused

    written = 0
    for month in points.months_to_count(timezone.localdate()):
        try:
            written += points.count_points_all(month)
        except RecordRefused:
            continue
    return written


# Sent on commit by every records service (records.sources.records_changed), one per month: the
# month's rule lines of the organizations touched, set-based, so points follow records the same
# day. A payroll import of the whole group touches every organization: the nightly count's limit.
@task("records.count_points_after_change", soft_time_limit=1500, time_limit=1800)
def count_points_after_change(month: str, organization_ids: list[int]) -> int:
    """Count the month's member points of the organizations again after their records changed
    (nothing when the month's period is closed or locked)."""
    from .services import recount

    return recount.count_points_after_change(
        datetime.date.fromisoformat(month), [int(pk) for pk in organization_ids]
    )


# The submissions a change of records feeds (an organization and its ancestors): seconds.
@task("records.recount", soft_time_limit=240, time_limit=300)
def recount(organization_id: int, day: str) -> int:
    """Recount the counted values the records of an organization and day feed."""
    return counted.recount_for_records(organization_id, datetime.date.fromisoformat(day))
