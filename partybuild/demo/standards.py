"""The standards part of the demo: titles, stars, appraisals, secretaries' reports and terms over
three closed years and the open one, each with a story a reader can find.

Before the scores (`prepare_demo_standards`): secretary2's branch has a strong 2024 and a veto in
2025 (a grave violation), so it loses stars; a member of the secretary's branch is appraised
基本合格 in 2025; the group earns the regulator's A grade each year with about 20% growth.

After the scores (`load_demo_standards`), year by year: the proposals are made by the real
services, then a closed year is decided as the year's work would have left it — titles
confirmed within their quotas (the rest withheld for the quota), stars confirmed as proposed
(so the next year's proposal starts from them), appraisals approved by the committee above
(follow-ups created; the talks held, corrections under way), secretaries' reports rated. The
open year is left to decide: titles and stars proposed, appraisals open, some reports submitted
and a few rated. Idempotent: each step checks what is there.
"""

import datetime
import hashlib
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessment.choices import PeriodKind, PeriodStatus
from assessment.models import Indicator, IndicatorValue, Period, SubjectScore, Submission
from assessment.scoring import score_subject
from assessment.selectors import engine_framework
from organizations.models import Organization
from standards import config
from standards.choices import AppraisalState, Decision, ReportState
from standards.models import (
    FollowUp,
    MemberAppraisal,
    SecretaryReport,
    SecretaryReportDocument,
    StarRating,
    TermResult,
    Title,
)
from standards.ratings import proposed
from standards.selectors.titles import quota_anchor, quota_use
from standards.services import appraisals, proposals, reports

from .assessment import SEED, _value
from .organizations import COMMITTEE_CODES, DEMO_ACCOUNTS

VETOED_BRANCH = next(a for a in DEMO_ACCOUNTS if a.username == "secretary2").organization_code
WEAK_MEMBER_BRANCH = next(a for a in DEMO_ACCOUNTS if a.username == "secretary").organization_code
GRAVE_VIOLATION = "C4.05"  # the framework's veto for a grave violation of discipline or law
REPORT_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"
SUMMARIES = (
    "全年抓基层党建工作责任落实，组织生活规范，党员教育管理扎实，存在问题已列出整改清单。",
    "围绕中心任务抓党建，推进支部标准化规范化建设，党建与业务融合还需加强。",
)


# -- before the scores ----------------------------------------------------------------------------


@transaction.atomic
def prepare_demo_standards() -> bool:
    """Shape the values the stories need, before the periods are scored; False when the demo
    was scored already (then nothing is changed)."""
    years = {p.start.year: p for p in Period.objects.filter(kind=PeriodKind.YEAR)}
    if 2025 not in years or SubjectScore.objects.filter(period=years[2025]).exists():
        return False
    branch = Organization.objects.get(code=VETOED_BRANCH)
    for year in (2023, 2024):  # five stars, so that the veto's fall shows
        if year in years:
            _strong(years[year], branch)
    _set(years[2025], _own(years[2025], branch), {GRAVE_VIOLATION: True})
    _weak_member(years[2025], Organization.objects.get(code=WEAK_MEMBER_BRANCH))
    # The group's business indicators are its business figures (partybuild/demo/business.py):
    # about 20% growth and the A grade, the seed's record, without a hand-set value here.
    return True


def _own(period: Period, organization: Organization) -> Submission:
    return Submission.objects.get(
        period=period, organization=organization, subject_unit="organization"
    )


def _set(period: Period, submission: Submission, values: dict) -> None:
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    for code, value in values.items():
        IndicatorValue.objects.update_or_create(
            submission=submission, indicator_id=ids[code], defaults={"value": value}
        )


def _strong(period: Period, organization: Organization) -> None:
    """The organization's own values as a strong unit's (what earns four or five stars)."""
    submission = _own(period, organization)
    spec = engine_framework(period.framework)
    rng = random.Random(f"{SEED}-strong-{organization.code}-{period.start.year}")
    values = {}
    for indicator in spec.indicators_for(submission.subject_kind):
        if indicator.kind == "formula" or indicator.value_type == "text":
            continue
        values[indicator.code] = _value(indicator, 0.99, rng)
        if indicator.kind == "veto":
            values[indicator.code] = False
    _set(period, submission, values)


def _weak_member(period: Period, branch: Organization) -> None:
    """A member of the branch whose year scores in the 基本合格 band of the member scale."""
    submission = (
        Submission.objects.filter(period=period, organization=branch, subject_kind="party_member")
        .order_by("person__employee_number")
        .first()
    )
    if submission is None:
        return
    spec = engine_framework(period.framework)
    indicators = [i for i in spec.indicators_for("party_member") if i.kind != "formula"]
    for step in range(30, 90):
        rng = random.Random(f"{SEED}-weak-{step}")
        values = {i.code: _value(i, step / 100, rng) for i in indicators}
        values.update({i.code: False for i in indicators if i.kind == "veto"})
        score = score_subject(spec, "party_member", values)
        if score.grade == "basic":
            _set(period, submission, values)
            return


# -- after the scores ----------------------------------------------------------------------------


def load_demo_standards(*, today: datetime.date | None = None) -> dict[str, int]:
    """Propose and decide, year by year; returns what the demo holds."""
    today = today or timezone.localdate()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "reviewer", "committee"])
    }
    if "reviewer" not in users:
        return {}
    years = Period.objects.filter(kind=PeriodKind.YEAR).exclude(status=PeriodStatus.PLANNED)
    for period in years.select_related("framework").order_by("start"):
        if not SubjectScore.objects.filter(period=period).exists():
            continue
        if period.status == PeriodStatus.OPEN:
            proposals.propose_for_period(period)
            _open_year(period, users, today)
        elif not Title.objects.filter(period=period).exclude(state=Decision.PROPOSED).exists():
            proposals.propose_for_period(period)
            _decide_year(period, users)
    group = Organization.objects.filter(parent__isnull=True, code__startswith="CETC").first()
    if group is not None:
        TermResult.objects.filter(
            organization__path__startswith=group.path,
            organization__kind__code__in=["group", "committee"],
            business_grade="",
        ).update(business_grade="A", business_grade_by=users["reviewer"])
    return {
        "titles": Title.objects.filter(state=Decision.CONFIRMED).count(),
        "stars": StarRating.objects.filter(state=Decision.CONFIRMED).count(),
        "appraisals": MemberAppraisal.objects.filter(state=AppraisalState.APPROVED).count(),
        "follow_ups": FollowUp.objects.count(),
        "reports": SecretaryReport.objects.filter(state=ReportState.RATED).count(),
        "terms": TermResult.objects.count(),
    }


@transaction.atomic
def _decide_year(period: Period, users: dict) -> None:
    reviewer = users["reviewer"]
    decided_at = timezone.make_aware(
        datetime.datetime.combine(period.deadline + datetime.timedelta(days=20), datetime.time(10))
    )
    _titles_within_quotas(period, reviewer, decided_at)
    StarRating.objects.filter(period=period, state=Decision.PROPOSED).update(
        state=Decision.CONFIRMED, stars=F("proposed"), decided_by=reviewer, decided_at=decided_at
    )
    _rate_reports(period, reviewer, decided_at)
    _approve_appraisals(period, users, decided_at)


def _titles_within_quotas(period: Period, reviewer, at: datetime.datetime) -> None:
    """Confirm the best-scored titles of each quota group up to its quota, withhold the rest
    for the quota (what a reviewer does with more candidates than places)."""
    standards = {s.code: s for s in config.for_period(period).seven_good}
    titles = list(
        Title.objects.filter(period=period, state=Decision.PROPOSED)
        .select_related("organization", "submission")
        .order_by("-score", "pk")
    )
    per_paths = {
        code: list(
            Organization.objects.filter(kind__code=s.quota.per).values_list("path", flat=True)
        )
        for code, s in standards.items()
        if s.quota
    }
    groups: dict[tuple[str, str], list[Title]] = defaultdict(list)
    for title in titles:
        standard = standards.get(title.standard)
        if standard is None or standard.quota is None:
            groups[(title.standard, "")].append(title)
            continue
        path = title.organization.path
        anchor = quota_anchor(
            path,
            organization_subject=title.submission.subject_unit == "organization",
            per_paths=[p for p in per_paths[title.standard] if path.startswith(p)],
        )
        groups[(title.standard, anchor)].append(title)
    confirmed, withheld = [], []
    for (code, anchor), members in groups.items():
        size = len(members)
        if anchor:
            size = quota_use(period, standards[code], [anchor])[anchor].size
        confirmed += [t.pk for t in members[:size]]
        withheld += [t.pk for t in members[size:]]
    Title.objects.filter(pk__in=confirmed).update(
        state=Decision.CONFIRMED, decided_by=reviewer, decided_at=at, version=2
    )
    Title.objects.filter(pk__in=withheld).update(
        state=Decision.WITHHELD,
        reason="名额已满：本单位名额按得分高低确定",
        decided_by=reviewer,
        decided_at=at,
        version=2,
    )


def _demo_document() -> dict[str, str]:
    digest = hashlib.sha256(REPORT_PDF).hexdigest()
    name = f"reports/{digest[:2]}/{digest}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(REPORT_PDF))
    return {"name": name, "sha256": digest}


def _votes(rng: random.Random, strength: float) -> dict[str, int]:
    voters = rng.randint(20, 60)
    good = round(voters * min(0.95, strength * rng.uniform(0.7, 0.95)))
    fairly = round((voters - good) * 0.7)
    average = voters - good - fairly
    return {"good": good, "fairly_good": fairly, "average": average, "poor": 0}


def _rate_reports(period: Period, reviewer, at: datetime.datetime) -> None:
    """Every report of a closed year written, voted on, rated as proposed, with its document."""
    shape = config.for_period(period).secretary_reports
    if shape is None:
        return
    stored = _demo_document()
    rows = list(
        SecretaryReport.objects.filter(period=period)
        .exclude(state=ReportState.RATED)
        .select_related("organization")
    )
    for report in rows:
        rng = random.Random(f"{SEED}-report-{report.organization.code}-{period.start.year}")
        report.votes = _votes(rng, rng.uniform(0.7, 1.0))
        report.summary = rng.choice(SUMMARIES)
        report.secretary_name = report.secretary_name or "书记"
        best = proposed(report.votes, shape.votes, shape.ratings).rating
        report.proposed_rating = report.rating = best.code if best else ""
        report.state = ReportState.RATED
        report.submitted_at = at - datetime.timedelta(days=10)
        report.rated_by, report.rated_at = reviewer, at
        report.version = 3
    fields = ["votes", "summary", "secretary_name", "proposed_rating", "rating", "state"]
    SecretaryReport.objects.bulk_update(
        rows, [*fields, "submitted_at", "rated_by", "rated_at", "version"], batch_size=100
    )
    SecretaryReportDocument.objects.bulk_create(
        [
            SecretaryReportDocument(
                report=report,
                file=stored["name"],
                original_name="述职报告.pdf",
                content_type="application/pdf",
                size=len(REPORT_PDF),
                sha256=stored["sha256"],
                uploaded_by=reviewer,
            )
            for report in rows
        ],
        batch_size=1000,
    )


def _approve_appraisals(period: Period, users: dict, at: datetime.datetime) -> None:
    """Each branch's appraisal approved by the committee above (through the service: the cap is
    checked and the follow-ups are made); the follow-ups' talks held, corrections under way."""
    for appraisal in MemberAppraisal.objects.filter(period=period, state=AppraisalState.OPEN):
        appraisals.approve(appraisal, version=appraisal.version, acting_user=users["reviewer"])
    MemberAppraisal.objects.filter(period=period, approved_at__isnull=False).update(approved_at=at)
    for follow_up in FollowUp.objects.filter(grade__appraisal__period=period).select_related():
        follow_up.due = at.date() + (follow_up.due - timezone.localdate())
        if follow_up.step == "talk":
            follow_up.done_on = at.date() + datetime.timedelta(days=14)
            follow_up.note = "已进行谈话提醒，本人表示接受批评、限期改正。"
        follow_up.save(update_fields=["due", "done_on", "note"])


def _open_year(period: Period, users: dict, today: datetime.date) -> None:
    """The open year: a handful of reports submitted through the services, a few of them rated
    by the committee above (their ratings are counted into the organizations' indicator)."""
    if SecretaryReport.objects.filter(period=period).exclude(state=ReportState.DRAFT).exists():
        return
    admin, reviewer = users.get("admin"), users["reviewer"]
    if admin is None:
        return
    committee = Organization.objects.filter(code=COMMITTEE_CODES[0]).first()
    candidates = SecretaryReport.objects.filter(period=period, state=ReportState.DRAFT)
    if committee is not None:
        candidates = candidates.filter(organization__path__startswith=committee.path)
    for number, report in enumerate(candidates.select_related("organization").order_by("pk")[:12]):
        rng = random.Random(f"{SEED}-open-report-{report.organization.code}")
        report = reports.save(
            report,
            secretary_name=report.secretary_name or "书记",
            summary=rng.choice(SUMMARIES),
            votes=_votes(rng, rng.uniform(0.7, 1.0)),
            version=report.version,
            acting_user=admin,
        )
        reports.add_documents(
            report, [ContentFile(REPORT_PDF, name="述职报告.pdf")], acting_user=admin
        )
        report = reports.submit(report, version=report.version, acting_user=admin)
        if number % 3 == 0 and report.organization.parent_id:
            reports.rate(
                report,
                rating=report.proposed_rating,
                reason="",
                version=report.version,
                acting_user=reviewer,
            )
