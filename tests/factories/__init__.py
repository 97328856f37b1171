"""factory_boy factories for the portal's models, one module per app, all importable from here."""

from .assessment import (
    EvidenceFactory,
    FrameworkFactory,
    IndicatorValueFactory,
    NoticeFactory,
    PeriodFactory,
    RollupSettingsFactory,
    ScoreRunFactory,
    SubmissionFactory,
    TransitionFactory,
)
from .organizations import (
    PASSWORD,
    DepartmentFactory,
    LeadingGroupFactory,
    OrganizationFactory,
    PersonFactory,
    RoleAssignmentFactory,
    UserFactory,
    kind,
)
from .records import (
    AttendanceFactory,
    DuesPaymentFactory,
    MeetingFactory,
    NegativeEventFactory,
    StudyRecordFactory,
    TalkFactory,
)
from .rectification import RectificationEvidenceFactory, RectificationFactory
from .reports import ReportFactory, ReportScheduleFactory

__all__ = [
    "PASSWORD",
    "AttendanceFactory",
    "DepartmentFactory",
    "DuesPaymentFactory",
    "EvidenceFactory",
    "FrameworkFactory",
    "IndicatorValueFactory",
    "LeadingGroupFactory",
    "MeetingFactory",
    "NegativeEventFactory",
    "NoticeFactory",
    "OrganizationFactory",
    "PeriodFactory",
    "PersonFactory",
    "RectificationEvidenceFactory",
    "RectificationFactory",
    "ReportFactory",
    "ReportScheduleFactory",
    "RoleAssignmentFactory",
    "RollupSettingsFactory",
    "ScoreRunFactory",
    "StudyRecordFactory",
    "SubmissionFactory",
    "TalkFactory",
    "TransitionFactory",
    "UserFactory",
    "kind",
]
