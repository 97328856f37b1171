"""Demo reports: one finished term report for the auditor and a schedule for the committees.

Called by `seed_demo` after the scores exist; idempotent (it adds nothing once the demo has a
report). The report is queued like any other (generated at once when tasks run in-process,
as in `make run`), so a new user finds a PDF ready to open and verify.
"""

import datetime

from django.contrib.auth import get_user_model

from assessment.choices import PeriodKind
from organizations.models import Organization
from partybuild.demo.organizations import DEMO_GROUP_CODE
from reports import services
from reports.choices import ReportFormat, Targets, Trigger
from reports.models import Report, ReportSchedule


def load_demo_reports() -> int:
    """Returns how many reports it made (0 when the demo has them already)."""
    if Report.objects.exists():
        return 0
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["auditor", "admin"])
    }
    group = Organization.objects.filter(code=DEMO_GROUP_CODE).first()
    if group is None or len(users) < 2:
        return 0
    try:
        services.request_report(
            acting_user=users["auditor"],
            organization=group,
            format=ReportFormat.PDF,
            period_kind=PeriodKind.YEAR,
            start=datetime.date(2023, 1, 1),
            end=datetime.date(2025, 12, 31),
        )
    except services.ReportError:  # no closed years in this demo: nothing to report on
        return 0
    schedule = ReportSchedule(
        name="各党委年度汇总报告",
        organization=group,
        targets=Targets.COMMITTEES,
        formats=[ReportFormat.PDF, ReportFormat.XLSX],
        trigger=Trigger.PERIOD_CLOSED,
        period_kind=PeriodKind.YEAR,
    )
    services.save_schedule(schedule, [users["auditor"]], acting_user=users["admin"])
    return 1
