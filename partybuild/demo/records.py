"""The records part of the demo: a year of party life in the demo group, up to today.

Records fall in the open year (the demo's 2026): records are written only inside an open period
(decision 102), so the closed years keep none. For that year, up to today:

- meetings of every kind the framework's records section requires of each organization kind
  (`config_on(day).kinds_for(kind)`): monthly 支委会 and 主题党日, a monthly 党小组会 of each
  party group (one for about every ten members), quarterly 党员大会 and 党课, a yearly 组织生活会
  and 民主评议. Most branches hold them all; some skip a few, a lax few skip many, so the calendar
  has gaps and reminders something to say (the demo secretary's branch missed last month's
  主题党日). A meeting drawn for a day after today is not held yet (the month goes on);
- attendance of the members expected that day (the membership history: party members, retired
  ones too; a member who joined the party this year belongs to the branch from that day), the
  group's members at a group's meeting: most present, a few excused with a reason (出差, 病假,
  培训…), rarely absent. General branches and committees have no members of their own (people
  belong to branches), so their meetings carry no attendance;
- three transfers during the year: the membership closed in one branch and opened in another on
  the day, the person moved, so who is expected changes;
- a few heart-to-heart talks per branch, study records for every member (courses, online
  learning, study sessions), dues for every member for every month so far (a monthly base of
  4,000–25,000 yuan, a retiree's pension at the retired rates; most paid on time, a few late or
  short, this month's partly not yet);
- the members' points counted by the framework's rules for every month so far, and a few awards;
- a few events on the negative list, entered by the demo inspector.

Drawn from seeded generators of their own (seeded by codes and employee numbers, not ids), never
from the assessment data or the scores; written in bulk (ids reserved up front, COPY on
PostgreSQL), once: nothing is added when the demo group's records exist already. The values the
open year's indicators count from these records are stored as a submission's page is opened or
by the nightly recount, not here (`assessment.services.counted.recount` of the whole demo year
would double the time seed_demo takes).
"""

from __future__ import annotations

import datetime
import hashlib
import random
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.html import escape

from assessment.choices import PeriodKind, PeriodStatus
from assessment.models import Period
from assessment.services.evidence import store_content
from core.bulk import insert_rows
from organizations.choices import PersonKind, PersonStatus
from organizations.models import BELONGING, Membership, Organization, Person
from partybuild.demo.organizations import (
    BRANCH,
    COMMITTEE,
    DEMO_ACCOUNTS,
    DEMO_SEED,
    GENERAL_BRANCH,
    MAX_BRANCH_MEMBERS,
    allocate_ids,
    demo_group,
)
from records import config as records_config
from records.choices import NegativeCategory, PointsKind, PointsState, Presence, Severity, StudyKind
from records.models import (
    Attendance,
    DecisionDocument,
    DuesPayment,
    Meeting,
    NegativeEvent,
    PointsEntry,
    StudyRecord,
    Talk,
)
from records.services.points import count_points_all

COMMITTEE_MEETING = "committee_meeting"  # listed with the committee's members only
SEED = DEMO_SEED
CENT = Decimal("0.01")
SECRETARY_ACCOUNT = next(a for a in DEMO_ACCOUNTS if a.username == "secretary")

# -- what a year of party life says ------------------------------------------------------------

TOPICS = {
    "committee_meeting": (
        "研究部署本月党建工作",
        "讨论确定入党积极分子培养人选",
        "研究党费收缴和使用情况",
        "分析党员思想动态",
        "研究主题党日活动方案",
        "研究科研生产任务中的党建保障",
        "讨论预备党员转正事宜",
        "研究落实上级党委工作部署",
    ),
    "group_meeting": (
        "学习《中国共产党章程》",
        "交流岗位建功体会",
        "学习《习近平谈治国理政》第五卷",
        "讨论项目攻关中的党员作用",
        "学习身边先进典型事迹",
        "学习《中国共产党纪律处分条例》",
    ),
    "theme_day": (
        "重温入党誓词",
        "学习贯彻党的二十届四中全会精神",
        "走进红色教育基地",
        "“党员先锋岗”志愿服务",
        "参观所史馆，传承红色基因",
        "“强国复兴有我”主题学习",
        "廉洁文化教育",
        "保密知识学习与测试",
        "“我为群众办实事”实践活动",
        "科技报国主题交流",
        "安全生产主题宣讲",
        "读书分享会",
    ),
    "members_meeting": (
        "传达学习上级会议精神",
        "讨论接收预备党员",
        "通报支部半年工作情况",
        "讨论预备党员转正",
        "审议支部年度工作计划",
    ),
    "lecture": (
        "书记讲党课：坚定理想信念",
        "党课：以科技自立自强支撑国防现代化",
        "党课：弘扬科学家精神",
        "党课：全面从严治党永远在路上",
        "党课：践行“两弹一星”精神",
        "党课：深化国有企业改革中的党建责任",
    ),
    "life_meeting": ("年度组织生活会",),
    "appraisal_meeting": ("年度民主评议党员",),
}
PLACES = ("党员活动室", "第一会议室", "第二会议室", "所史馆", "科研楼报告厅", "线上会议")
MINUTES = (
    "会议由支部书记主持，应到、实到人数见签到表。与会党员围绕议题逐一发言，形成一致意见。",
    "会议传达学习了上级精神，结合本部门科研生产任务进行了讨论，明确了下一步工作安排。",
    "会议按程序进行，与会同志充分发表意见，会后形成纪要并报上级党组织备案。",
)
PARTY_GROUPS = ("第一党小组", "第二党小组", "第三党小组")
# Why a member was excused, with how often each reason comes up.
EXCUSES = (("出差", 45), ("病假", 15), ("培训", 15), ("事假", 10), ("外派支援", 8), ("休假", 7))
TALK_TOPICS = (
    "了解思想动态和工作困难",
    "入党积极分子培养谈话",
    "预备党员转正前谈话",
    "组织生活会前谈心",
    "岗位调整后的思想交流",
    "科研任务压力与家庭情况",
    "提醒谈话：按时参加组织生活",
)
STUDY = {
    StudyKind.ONLINE: (
        ("“学习强国”专题学习", (1, 1.5, 2, 3)),
        ("中国干部网络学院专题课程", (2, 3, 4)),
        ("党的二十届四中全会精神网上专题班", (3, 4, 6)),
        ("保密教育网上学习", (1, 2)),
    ),
    StudyKind.SESSION: (
        ("支部集中学习", (2, 2.5, 3)),
        ("党委理论学习中心组扩大学习", (2, 3)),
        ("专题辅导报告", (2, 3)),
    ),
    StudyKind.COURSE: (
        ("党支部书记培训班", (16, 24, 32)),
        ("新党员培训班", (8, 16)),
        ("党务干部业务培训", (16, 24)),
        ("井冈山干部学院专题培训", (32, 40)),
    ),
}
AWARDS = (
    ("volunteer", "参加社区志愿服务", 1),
    ("volunteer", "参加无偿献血", 2),
    ("volunteer", "参与科技进校园志愿宣讲", 1),
)
NEGATIVE = (
    (
        NegativeCategory.INTEGRITY,
        Severity.SERIOUS,
        "违反中央八项规定精神违规发放津补贴",
        "经查，该单位以项目奖励名义违规发放津补贴，相关责任人已受到党纪处分，资金已全部收回。",
        "电科纪〔{year}〕7号",
    ),
    (
        NegativeCategory.SAFETY,
        Severity.MINOR,
        "试验现场发生一般安全生产事故",
        "环境试验过程中操作不规范导致一人轻伤，已责令停工整顿并开展安全教育。",
        "电科安〔{year}〕15号",
    ),
    (
        NegativeCategory.DISCIPLINE,
        Severity.MINOR,
        "党员醉酒驾驶机动车受到党内警告处分",
        "",
        "电科纪〔{year}〕21号",
    ),
    (
        NegativeCategory.STABILITY,
        Severity.MINOR,
        "职工信访事项未按期办结",
        "一件职工诉求超过规定期限未予答复，已督促办结并约谈相关负责人。",
        "",
    ),
)

# -- people and memberships ----------------------------------------------------------------------


@dataclass
class _Member:
    """A party member of the demo, with where they belonged when."""

    pk: int
    number: str  # the employee number: what the seeds and orders go by, not the id
    since: datetime.date
    full: bool  # a full member (not on probation): may chair the branch
    retired: bool  # pays dues of the retired group on a pension
    # (organization id, start, end) in the order of the history; None: open-ended.
    spans: list[tuple[int, datetime.date | None, datetime.date | None]] = field(
        default_factory=list
    )

    def org_on(self, day: datetime.date) -> int | None:
        if day < self.since:
            return None
        for org, start, end in self.spans:
            if (start is None or start <= day) and (end is None or end >= day):
                return org
        return None


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s to `last`'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


@cache
def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=monthrange(month.year, month.month)[1])


@cache
def _workdays(month: datetime.date) -> tuple[datetime.date, ...]:
    last = _month_end(month).day
    days = (month.replace(day=d) for d in range(1, last + 1))
    return tuple(day for day in days if day.weekday() < 5)


def _workday(rng: random.Random, month: datetime.date) -> datetime.date:
    """A weekday of the month, drawn at random."""
    return rng.choice(_workdays(month))


def insert_records(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """`insert_rows` with every other column that has a default given it (a `version`, a flag):
    rows written past the ORM must not depend on knowing each column a later change adds."""
    given = set(columns)
    rest = [
        f
        for f in model._meta.concrete_fields
        if f.column not in given and not f.primary_key and f.has_default()
    ]
    if not rest:
        insert_rows(model, columns, rows)
        return
    values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    insert_rows(model, [*columns, *(f.column for f in rest)], ((*row, *values) for row in rows))


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Demo:
    """What the generators share: the window, the framework's records config, the tree and its
    members (their memberships as of after the transfers)."""

    first: datetime.date
    last: datetime.date  # today, or the period's end if that came first
    config: records_config.RecordsConfig
    orgs: list[dict]
    members: dict[int, _Member]
    by_org: dict[int, list[_Member]]
    secretaries: dict[int, int]  # organization id → the person who chairs its meetings
    admin_id: int
    secretary_user_id: int | None
    secretary_org_id: int | None
    now: object
    transfers: int = 0

    def expected(self, org_id: int, day: datetime.date, group: int | None = None) -> list[int]:
        """The party members of the organization on the day, by the membership history (those
        of one of its party groups when given)."""
        listed = self.by_org.get(org_id, ())
        if group is not None:
            groups = self.party_groups(org_id)
            listed = [m for i, m in enumerate(listed) if i * groups // len(listed) == group]
        return [m.pk for m in listed if m.org_on(day) == org_id]

    def committee(self, org_id: int, day: datetime.date) -> list[int]:
        """The branch committee on the day: the first of its members as listed, three to seven
        of them by the branch's size (支部委员会 meets with its members only)."""
        members = self.expected(org_id, day)
        return members[: min(7, max(3, len(members) // 5))]

    def party_groups(self, org_id: int) -> int:
        """How many party groups the organization has: one for every ten members or so."""
        return max(1, min(len(PARTY_GROUPS), len(self.by_org.get(org_id, ())) // 10))

    def author(self, org_id: int) -> int:
        """Who entered the organization's records: its demo secretary, else the administrator."""
        if org_id == self.secretary_org_id and self.secretary_user_id:
            return self.secretary_user_id
        return self.admin_id


def open_year() -> Period | None:
    """The open year of the demo, whose records are still written."""
    return (
        Period.objects.filter(status=PeriodStatus.OPEN, kind=PeriodKind.YEAR)
        .order_by("-start")
        .first()
    )


def load_demo_records(*, today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo group's records of the open year up to today; returns counts by kind.

    Idempotent: returns {} when the group has records already, or there is no group, no open
    year, or the year has not begun.
    """
    today = today or timezone.localdate()
    group = demo_group()
    period = open_year()
    if group is None or period is None or period.start > today:
        return {}
    if Meeting.objects.filter(organization__path__startswith=group.path).exists():
        return {}
    users = {
        u.username: u.pk
        for u in get_user_model().objects.filter(username__in=["admin", "secretary", "inspector"])
    }
    if "admin" not in users:
        return {}
    with transaction.atomic():
        demo = _prepare(group, period, min(today, period.end), users)
        counts = {"transfers": demo.transfers}
        counts["meetings"], counts["attendance"] = _meetings(demo)
        counts["talks"] = _talks(demo)
        counts["dues"] = _dues(demo)
        counts["study"] = _study(demo)
        counts["points"] = _points(demo)
        counts["negative_events"] = _negative_events(demo, users.get("inspector", users["admin"]))
    return counts


def _prepare(group: Organization, period: Period, last: datetime.date, users) -> _Demo:
    orgs = list(
        Organization.objects.subtree(group)
        .filter(is_active=True)
        .order_by("path")
        .values("pk", "code", "kind__code", "parent_id", "path")
    )
    _joined_this_year(group, period.start)
    transfers = _transfer(orgs, period.start, last)
    # Retired members still belong to their branch (organizations.models.BELONGING).
    people = {
        pk: (number, since, kind == PersonKind.MEMBER, status == PersonStatus.RETIRED)
        for pk, number, since, kind, status in Person.objects.filter(
            organization__path__startswith=group.path,
            status__in=BELONGING,
            party_member_since__isnull=False,
        )
        .exclude(kind=PersonKind.STAFF)
        .values_list("pk", "employee_number", "party_member_since", "kind", "status")
    }
    members: dict[int, _Member] = {}
    by_org: dict[int, list[_Member]] = defaultdict(list)
    spans = (
        Membership.objects.filter(person__in=people)
        .order_by("person", "start")
        .values_list("person_id", "organization_id", "start", "end")
    )
    for person_id, org_id, start, end in spans:
        member = members.setdefault(person_id, _Member(person_id, *people[person_id]))
        member.spans.append((org_id, start, end))
        if not by_org[org_id] or by_org[org_id][-1] is not member:
            by_org[org_id].append(member)
    for org_id, listed in by_org.items():
        # Members since before any record first, in the order of their employee numbers (a
        # branch's core members come first), then those who joined later.
        listed.sort(key=lambda m, org_id=org_id: (_joined(m, org_id), m.number))
    secretary_org = next(
        (o["pk"] for o in orgs if o["code"] == SECRETARY_ACCOUNT.organization_code), None
    )
    return _Demo(
        first=period.start,
        last=last,
        config=records_config.config_on(period.start),
        orgs=orgs,
        members=members,
        by_org=by_org,
        secretaries=_secretaries(orgs, by_org),
        admin_id=users["admin"],
        secretary_user_id=users.get("secretary"),
        secretary_org_id=secretary_org,
        now=timezone.now(),
        transfers=transfers,
    )


def _joined(member: _Member, org_id: int) -> datetime.date:
    """When the member joined the organization (the earliest date for "before any record")."""
    return min(start or datetime.date.min for org, start, _end in member.spans if org == org_id)


def _joined_this_year(group: Organization, first: datetime.date) -> None:
    """Members who joined the party during the year belong to their branch from that day: they
    are expected at its meetings and owe dues from then (the demo people were given a membership
    "since before any record" when they were created)."""
    joined = dict(
        Person.objects.filter(
            organization__path__startswith=group.path, party_member_since__gt=first
        )
        .exclude(kind=PersonKind.STAFF)
        .values_list("pk", "party_member_since")
    )
    rows = list(Membership.objects.filter(person__in=joined, start__isnull=True))
    for row in rows:
        row.start = joined[row.person_id]
    Membership.objects.bulk_update(rows, ["start"], batch_size=500)


def _secretaries(orgs: list[dict], by_org: dict[int, list[_Member]]) -> dict[int, int]:
    """Who chairs each organization's meetings: a branch's first member; a general branch's, the
    secretary of its first branch; a committee's, the first leader of its office branch."""
    chairs = {
        org_id: next((m.pk for m in listed if m.full), listed[0].pk)
        for org_id, listed in by_org.items()
        if listed
    }
    for org in orgs:
        if org["pk"] in chairs:
            continue
        below = [
            o
            for o in orgs
            if o["path"].startswith(org["path"]) and o["pk"] != org["pk"] and o["pk"] in chairs
        ]
        office = [o for o in below if o["code"].endswith("-JG") and o["parent_id"] == org["pk"]]
        if office or below:
            chairs[org["pk"]] = chairs[(office or below)[0]["pk"]]
    return chairs


TRANSFER_DAYS = ((3, 16), (6, 15), (9, 14))


def _transfer(orgs: list[dict], first: datetime.date, last: datetime.date) -> int:
    """Move a few members to a branch of another general branch of their committee during the
    year: the membership closed the day before, a new one opened on the day."""
    rng = random.Random(f"{SEED}-records-transfers")
    branches = [o for o in orgs if o["kind__code"] == BRANCH and not o["code"].endswith("-JG")]
    party = defaultdict(list)
    for pk, org_id, department_id in (
        Person.objects.filter(
            organization__in=[b["pk"] for b in branches],
            status=PersonStatus.ACTIVE,
            kind=PersonKind.MEMBER,
        )
        .order_by("organization", "employee_number")
        .values_list("pk", "organization_id", "department_id")
    ):
        party[org_id].append((pk, department_id))
    moved = 0
    used: set[int] = set()
    for month, day in TRANSFER_DAYS:
        when = datetime.date(first.year, month, day)
        if not first < when <= last:
            continue
        sources = [b for b in branches if len(party[b["pk"]]) > 3 and b["pk"] not in used]
        if not sources:
            continue  # a demo scaled down to the core members of every branch
        source = rng.choice(sources)
        committee = source["code"].rsplit("-", 2)[0]
        general_branch = source["code"].rsplit("-", 1)[0]
        targets = [
            b
            for b in branches
            if b["code"].startswith(committee + "-")
            and not b["code"].startswith(general_branch + "-")
            and b["pk"] not in used
            and 0 < len(party[b["pk"]]) < MAX_BRANCH_MEMBERS - 5
        ]
        if not targets:
            continue
        target = rng.choice(targets)
        used.update((source["pk"], target["pk"]))
        # Not one of the first three: they hold the branch committee.
        person_id, _department = rng.choice(party[source["pk"]][3:])
        department_id = party[target["pk"]][0][1]
        Membership.objects.filter(person_id=person_id, end__isnull=True).update(
            end=when - datetime.timedelta(days=1)
        )
        Membership.objects.create(person_id=person_id, organization_id=target["pk"], start=when)
        Person.objects.filter(pk=person_id).update(
            organization_id=target["pk"], department_id=department_id
        )
        moved += 1
    return moved


# -- meetings and attendance ---------------------------------------------------------------------


def _diligence(rng: random.Random) -> float:
    """The share of its required meetings an organization skips: most none, some a few, a lax
    few many."""
    draw = rng.random()
    if draw < 0.7:
        return 0.0
    if draw < 0.92:
        return rng.uniform(0.05, 0.2)
    return rng.uniform(0.3, 0.5)


def _schedule(
    demo: _Demo, org: dict, rng: random.Random
) -> list[tuple[str, datetime.date, int | None]]:
    """(kind code, date, party group) of the meetings the organization held in the window;
    the kinds held by party groups are held by each of its groups."""
    skip = _diligence(rng)
    months = _months(demo.first, demo.last)
    held: list[tuple[str, datetime.date, int | None]] = []
    # The demo secretary's branch held everything but last month's themed party day: the one
    # gap the secretary's reminders and calendar can be shown with.
    own_gap = None
    if org["pk"] == demo.secretary_org_id:
        skip = 0.0
        if len(months) > 1:
            own_gap = ("theme_day", months[-2])
    for kind in demo.config.kinds_for(org["kind__code"]):
        groups: list[int | None] = [None]
        if kind.party_group:
            groups = list(range(demo.party_groups(org["pk"])))
        slots: list[datetime.date] = []  # a month in which one meeting of the kind is due
        if kind.per_month:
            for month in months:
                extra = 1 if not kind.party_group and rng.random() < 0.05 else 0
                slots += [month] * (kind.per_month + extra)
        if kind.per_quarter:
            for quarter in range(4):
                if any((m.month - 1) // 3 == quarter for m in months):
                    chosen = demo.first.replace(month=quarter * 3 + 1 + rng.randint(0, 2))
                    slots += [chosen] * kind.per_quarter
        if kind.per_year:
            # Held early in the year, looking back on the last one.
            slots += [demo.first.replace(month=rng.randint(1, 3))] * kind.per_year
        for month in slots:
            for group in groups:
                if skip and rng.random() < skip:
                    continue
                if own_gap == (kind.code, month):
                    continue
                day = _workday(rng, month)
                if day < demo.first or day > demo.last:
                    continue  # not held yet
                held.append((kind.code, day, group))
    return held


def _meetings(demo: _Demo) -> tuple[int, int]:
    """Every organization's meetings with the attendance of its expected members (of the party
    group, for a group's meeting: its sign-in list)."""
    planned: list[tuple[dict, str, datetime.date, int | None, random.Random]] = []
    for org in demo.orgs:
        rng = random.Random(f"{SEED}-records-meetings-{org['code']}")
        planned += [(org, *held, rng) for held in _schedule(demo, org, rng)]
    ids = allocate_ids(Meeting, len(planned))
    stamp = Meeting._meta.get_field("created_at").get_db_prep_save(demo.now, connection)
    meetings, attendance = [], []
    excuses = [reason for reason, _weight in EXCUSES]
    weights = [weight for _reason, weight in EXCUSES]
    habits: dict[int, tuple[float, float]] = {}  # an organization's (excused, absent) shares
    for pk, (org, kind_code, day, group, rng) in zip(ids, planned, strict=True):
        kind = demo.config.kind(kind_code)
        topics = TOPICS.get(kind_code) or ((kind.name if kind else kind_code),)
        topic = rng.choice(topics)
        if kind_code in ("life_meeting", "appraisal_meeting"):
            topic = f"{day.year - 1}{topic}"
        meetings.append(
            (
                pk,
                org["pk"],
                kind_code,
                "" if group is None else PARTY_GROUPS[group],
                day,
                rng.choice(PLACES),
                topic,
                demo.secretaries.get(org["pk"]),
                rng.choice(MINUTES),
                1,
                demo.author(org["pk"]),
                stamp,
                stamp,
            )
        )
        if org["pk"] not in habits:
            habit = random.Random(f"{SEED}-records-habits-{org['code']}")
            habits[org["pk"]] = (
                habit.uniform(0.03, 0.1),
                0.0 if habit.random() < 0.6 else habit.uniform(0.005, 0.03),
            )
        excused_share, absent_share = habits[org["pk"]]
        expected = demo.expected(org["pk"], day, group)
        if kind_code == COMMITTEE_MEETING:
            expected = demo.committee(org["pk"], day)
        for person_id in expected:
            draw = rng.random()
            if draw < absent_share:
                attendance.append((pk, person_id, Presence.ABSENT.value, ""))
            elif draw < absent_share + excused_share:
                reason = rng.choices(excuses, weights)[0]
                attendance.append((pk, person_id, Presence.EXCUSED.value, reason))
            else:
                attendance.append((pk, person_id, Presence.PRESENT.value, ""))
    columns = [
        "id",
        "organization_id",
        "kind",
        "party_group",
        "date",
        "place",
        "topic",
        "host_id",
        "minutes",
        "version",
        "created_by_id",
        "created_at",
        "updated_at",
    ]
    insert_records(Meeting, columns, meetings)
    insert_records(Attendance, ["meeting_id", "person_id", "presence", "reason"], attendance)
    return len(meetings), len(attendance)


# -- talks, dues, study --------------------------------------------------------------------------


def _talks(demo: _Demo) -> int:
    """A few heart-to-heart talks in every branch: the secretary or a committee member with a
    member expected that day."""
    rows = []
    days = (demo.last - demo.first).days
    stamp = Talk._meta.get_field("created_at").get_db_prep_save(demo.now, connection)
    for org in demo.orgs:
        if org["kind__code"] != BRANCH or org["pk"] not in demo.by_org:
            continue
        rng = random.Random(f"{SEED}-records-talks-{org['code']}")
        for _ in range(max(1, round(rng.randint(3, 8) * (days + 1) / 365))):
            day = demo.first + datetime.timedelta(days=rng.randint(0, days))
            members = demo.expected(org["pk"], day)
            if len(members) < 2:
                continue
            chair = demo.secretaries.get(org["pk"])
            talker = chair if chair in members and rng.random() < 0.7 else rng.choice(members[:3])
            partner = rng.choice([m for m in members if m != talker])
            rows.append(
                (
                    org["pk"],
                    talker,
                    partner,
                    day,
                    rng.choice(TALK_TOPICS),
                    "",
                    demo.author(org["pk"]),
                    stamp,
                )
            )
    columns = [
        "organization_id",
        "talker_id",
        "partner_id",
        "date",
        "topic",
        "note",
        "created_by_id",
        "created_at",
    ]
    insert_records(Talk, columns, rows)
    return len(rows)


def _dues(demo: _Demo) -> int:
    """Every member's dues for every month so far, in the organization that held them at the
    month's end: most paid on time, a few late or short, this month's partly not yet."""
    rows = []
    months = _months(demo.first, demo.last)
    stamp = DuesPayment._meta.get_field("updated_at").get_db_prep_save(demo.now, connection)
    for member in demo.members.values():
        rng = random.Random(f"{SEED}-records-dues-{member.number}")
        if member.retired:  # a pension
            base = Decimal(min(10_000, max(4_000, round(rng.lognormvariate(8.7, 0.25), -1))))
        else:
            base = Decimal(min(25_000, max(4_000, round(rng.lognormvariate(9.3, 0.4), -1))))
        group = _dues_group(demo.config, member)
        raise_in_july = rng.random() < 0.5
        late_share = rng.choices((0.02, 0.15, 0.5), (90, 8, 2))[0]
        for month in months:
            end = _month_end(month)
            org = _home(member, month, demo.last)
            if org is None:
                continue
            if raise_in_july and month.month == 7:
                base = min(Decimal(25_000), Decimal(int(round(base * Decimal("1.04"), -1))))
            rate = demo.config.rate_for(base, group)
            due = max(_money(base * rate), demo.config.dues_minimum)
            draw = rng.random()
            paid, paid_on = due, month.replace(day=rng.randint(1, 25))
            if draw < late_share:
                paid_on = end + datetime.timedelta(days=rng.randint(1, 20))
            elif draw < late_share + 0.01:
                paid = _money(due * Decimal(rng.choice(("0.5", "0.8"))))
            if paid_on > demo.last:
                paid, paid_on = None, None  # not paid yet
            rows.append(
                (
                    member.pk,
                    org,
                    month,
                    base,
                    rate,
                    due,
                    paid,
                    paid_on,
                    "entered",
                    demo.author(org),
                    stamp,
                )
            )
    columns = [
        "person_id",
        "organization_id",
        "month",
        "base",
        "rate",
        "due",
        "paid",
        "paid_on",
        "source",
        "updated_by_id",
        "updated_at",
    ]
    insert_records(DuesPayment, columns, rows)
    return len(rows)


def _home(member: _Member, month: datetime.date, last: datetime.date) -> int | None:
    """The organization that holds the member at the end of the month (so far), else the last
    one that held them in it."""
    day = min(_month_end(month), last)
    while day >= month:
        if org := member.org_on(day):
            return org
        day -= datetime.timedelta(days=1)
    return None


def _dues_group(config: records_config.RecordsConfig, member: _Member) -> str:
    """The rate group of a member: "retired" for a retiree when the framework has that band."""
    if member.retired and any(band.group == "retired" for band in config.dues_bands):
        return "retired"
    return "regular"


def _study(demo: _Demo) -> int:
    """A few study records for every member: online courses, study sessions, the odd course."""
    rows = []
    days = (demo.last - demo.first).days
    stamp = StudyRecord._meta.get_field("created_at").get_db_prep_save(demo.now, connection)
    kinds = list(STUDY)
    for member in demo.members.values():
        rng = random.Random(f"{SEED}-records-study-{member.number}")
        for _ in range(max(1, round(rng.randint(2, 6) * (days + 1) / 365))):
            day = demo.first + datetime.timedelta(days=rng.randint(0, days))
            org = member.org_on(day)
            if org is None:
                continue
            kind = rng.choices(kinds, (3, 5, 1))[0]
            title, hours = rng.choice(STUDY[kind])
            rows.append(
                (
                    member.pk,
                    org,
                    day,
                    kind.value,
                    title,
                    Decimal(str(rng.choice(hours))),
                    "entered",
                    demo.author(org),
                    stamp,
                )
            )
    columns = [
        "person_id",
        "organization_id",
        "date",
        "kind",
        "title",
        "hours",
        "source",
        "created_by_id",
        "created_at",
    ]
    insert_records(StudyRecord, columns, rows)
    return len(rows)


# -- points ---------------------------------------------------------------------------------------


def _points(demo: _Demo) -> int:
    """The members' points of every month so far, counted by the framework's rules, and a few
    awards (some still awaiting approval)."""
    for month in _months(demo.first, demo.last):
        count_points_all(month)
    rng = random.Random(f"{SEED}-records-awards")
    members = sorted(demo.members, key=lambda pk: demo.members[pk].number)
    rows = []
    stamp = PointsEntry._meta.get_field("created_at").get_db_prep_save(demo.now, connection)
    months = _months(demo.first, demo.last)
    for index in range(min(40, len(members))):
        person = rng.choice(members)
        month = rng.choice(months)
        org = demo.members[person].org_on(_month_end(month)) or demo.members[person].org_on(month)
        if org is None:
            continue
        rule, reason, points = rng.choice(AWARDS)
        state = (
            PointsState.PROPOSED if month == months[-1] or index % 8 == 0 else PointsState.APPROVED
        )
        decided = state == PointsState.APPROVED
        rows.append(
            (
                person,
                org,
                month,
                PointsKind.AWARD.value,
                rule,
                Decimal(points),
                reason,
                state.value,
                demo.author(org),
                demo.admin_id if decided else None,
                stamp if decided else None,
                stamp,
            )
        )
    insert_records(PointsEntry, POINTS_COLUMNS, rows)
    return PointsEntry.objects.filter(person__in=members).count()


POINTS_COLUMNS = [
    "person_id",
    "organization_id",
    "month",
    "kind",
    "rule",
    "points",
    "reason",
    "state",
    "entered_by_id",
    "decided_by_id",
    "decided_at",
    "created_at",
]


# -- the negative list ---------------------------------------------------------------------------


def _negative_events(demo: _Demo, inspector_id: int) -> int:
    """A few events on the negative list, at units below the inspector's group."""
    rng = random.Random(f"{SEED}-records-negative")
    candidates = [o for o in demo.orgs if o["kind__code"] in (BRANCH, GENERAL_BRANCH, COMMITTEE)]
    days = (demo.last - demo.first).days
    events = []
    for category, severity, title, description, number in NEGATIVE:
        org = rng.choice(candidates)
        events.append(
            NegativeEvent(
                organization_id=org["pk"],
                category=category,
                severity=severity,
                date=demo.first + datetime.timedelta(days=rng.randint(0, days)),
                title=title,
                description=description,
                decision_number=number.format(year=demo.first.year),
                entered_by_id=inspector_id,
            )
        )
    NegativeEvent.objects.bulk_create(events)
    for event in events:
        if event.decision_number:
            _decision_document(event, inspector_id)
    return len(events)


def _decision_document(event: NegativeEvent, inspector_id: int) -> None:
    """The event's decision as a one-page PDF, stored by its hash like an uploaded one."""
    from weasyprint import HTML

    html = (
        '<html lang="zh"><body style="font-family: sans-serif; margin: 3cm 2.5cm">'
        f'<p style="text-align: center">{escape(event.decision_number)}</p>'
        f'<h1 style="font-size: 16pt; text-align: center">关于{escape(event.title)}的处理决定</h1>'
        f"<p>{escape(event.description or event.title)}</p>"
        f'<p style="text-align: right">{event.date:%Y年%m月%d日}</p></body></html>'
    )
    content = HTML(string=html).write_pdf()
    document = DecisionDocument(
        event=event,
        original_name=f"{event.decision_number}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=inspector_id,
    )
    store_content(document, ContentFile(content))
