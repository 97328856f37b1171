"""How assessment results are decided and used: seven-good titles, star ratings of branches,
the democratic appraisal of members with its follow-up, secretaries' annual reports, terms.

Every row hangs from an organization, so the access scope applies to it like to anything else.
"""

from .appraisals import FollowUp, MemberAppraisal, MemberGrade
from .proposals import ProposalRun
from .reports import SecretaryReport, SecretaryReportDocument
from .stars import StarRating
from .terms import TermResult
from .titles import Title

__all__ = [
    "FollowUp",
    "MemberAppraisal",
    "MemberGrade",
    "ProposalRun",
    "SecretaryReport",
    "SecretaryReportDocument",
    "StarRating",
    "TermResult",
    "Title",
]
