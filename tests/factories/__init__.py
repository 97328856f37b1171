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
from .rectification import RectificationEvidenceFactory, RectificationFactory
from .reports import ReportFactory, ReportScheduleFactory

__all__ = [
    "PASSWORD",
    "DepartmentFactory",
    "EvidenceFactory",
    "FrameworkFactory",
    "IndicatorValueFactory",
    "LeadingGroupFactory",
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
    "SubmissionFactory",
    "TransitionFactory",
    "UserFactory",
    "kind",
]
