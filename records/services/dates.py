"""Whether a record may be written on a date, and the errors every records service raises.

A record is written only while its date lies inside an assessment period that is OPEN and inside
no CLOSED or LOCKED one: once the period of a date is closed its records count in scores, and
once it is locked they are locked with it. Periods of every kind count (a day may sit in a month,
a quarter and a year at once): any closed or locked one among them wins.

A change that moves a record from one date to another checks both dates.
"""

import datetime

from django.utils.translation import gettext as _

from assessment.choices import PeriodStatus
from assessment.models import Period


class RecordRefused(ValueError):
    """A record that cannot be written; `message` is for the user, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        # As django.core.exceptions.ValidationError has it, so a form can take the message.
        return [self.message]


class NotAllowed(RecordRefused):
    """The user may see the organization but does not write its records."""


class StaleVersion(RecordRefused):
    """A change based on an older version of the record; nothing was written."""

    def __init__(self, current: int) -> None:
        super().__init__(
            _(
                "Someone changed this record after you opened it (now version %(v)d). Nothing "
                "was saved: check the record and enter your change again."
            )
            % {"v": current}
        )
        self.current = current


def check_open(day: datetime.date) -> Period:
    """The open period that covers `day`; raise RecordRefused if records of that day are shut."""
    periods = list(
        Period.objects.filter(start__lte=day, end__gte=day).only(
            "status", "name", "name_en", "start"
        )
    )
    for status, message in (
        (
            PeriodStatus.LOCKED,
            _(
                "The assessment period of this date (%(period)s) is locked: its records are "
                "locked with it."
            ),
        ),
        (
            PeriodStatus.CLOSED,
            _(
                "The assessment period of this date (%(period)s) is closed: its records can no "
                "longer change."
            ),
        ),
    ):
        shut = next((p for p in periods if p.status == status), None)
        if shut is not None:
            raise RecordRefused(message % {"period": shut.display_name})
    open_periods = [p for p in periods if p.status == PeriodStatus.OPEN]
    if not open_periods:
        raise RecordRefused(_("The date %(day)s is in no open assessment period.") % {"day": day})
    return min(open_periods, key=lambda p: p.start)
