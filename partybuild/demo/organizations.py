"""Builders of demo and benchmark data: the CETC demo group and deterministic synthetic trees.

The demo follows the seed document: the group party leadership of CETC, its subsidiaries' party
committees (research institutes and companies), their general branches and branches, departments,
leading groups, about 6,000 people and one account per role. The synthetic tree is a plain,
seeded, five-level tree of any size for benchmarks.

Both are written the same way: ids are allocated from the database's sequence first, so `path`
and `depth` are computed in Python and every row is inserted exactly once (bulk inserts, COPY on
PostgreSQL); no per-row save, no UPDATE afterwards. Same seed, same data.
"""

import hashlib
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from core.bulk import insert_rows
from organizations.choices import PersonKind, PersonStatus, Role
from organizations.models import Department, LeadingGroup, Membership, Organization, Person
from organizations.services import assign_role, ensure_default_kinds

DEMO_GROUP_CODE = "CETC"
DEMO_SEED = 2016  # the year of the seed document
SYNTHETIC_ROOT_CODE = "SYN"
# Synthetic people are dated from a fixed day so that a seed gives the same rows on any day.
SYNTHETIC_TODAY = date(2025, 12, 31)

GROUP, COMMITTEE, GENERAL_BRANCH, BRANCH = "group", "committee", "general_branch", "branch"


# The most common surnames, most frequent first; weights fall off roughly like their frequency.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞斌宇浩凯健俊帆帅旭宁龙林欣佳晨"
    "阳博文亮辉鑫婷雪琳晶倩慧颖峰建国志海波云成东新春毅翔然思雨梓子涵轩一诗嘉昊天睿泽瑞铭晓立"
    "伦冰岚瑶蕾璐琪悦卓航宏荣兵德庆"
)
_SURNAME_WEIGHTS = [1 / (rank + 6) for rank in range(len(SURNAMES))]


class NameGenerator:
    """Plausible Chinese personal names from a seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._cum_weights = list(accumulate(_SURNAME_WEIGHTS))

    def name(self) -> str:
        surname = self.rng.choices(SURNAMES, cum_weights=self._cum_weights)[0]
        length = 1 if self.rng.random() < 0.3 else 2
        return surname + "".join(self.rng.choices(GIVEN_NAME_CHARACTERS, k=length))


class PersonMaker:
    """Party members (some probationary) and staff with plausible dates and statuses."""

    party_share = 0.75
    probationary_share = 0.05

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.names = NameGenerator(rng)

    def draw(
        self, *, party: bool, full_member: bool = False, active: bool = False
    ) -> tuple[str, str, date | None, str]:
        """Name, kind, party-member-since and status of one person.

        `full_member` and `active` pin what a branch's core members or a leader must be.
        """
        rng = self.rng
        if not party:
            kind, since = PersonKind.STAFF, None
        elif full_member or rng.random() >= self.probationary_share:
            # Admitted between about 1 and 38 years ago (the probation year included).
            kind, since = PersonKind.MEMBER, self.today - timedelta(days=rng.randint(400, 13_900))
        else:
            # Still within the one-year probation.
            kind, since = PersonKind.PROBATIONARY, self.today - timedelta(days=rng.randint(15, 360))
        status = PersonStatus.ACTIVE if active else self._status()
        return self.names.name(), kind.value, since, status.value

    def make(
        self,
        *,
        organization_id: int,
        employee_number: str,
        party: bool,
        department_id: int | None = None,
        full_member: bool = False,
        active: bool = False,
    ) -> Person:
        name, kind, since, status = self.draw(party=party, full_member=full_member, active=active)
        return Person(
            name=name,
            employee_number=employee_number,
            organization_id=organization_id,
            department_id=department_id,
            kind=kind,
            party_member_since=since,
            status=status,
        )

    def _status(self) -> str:
        draw = self.rng.random()
        if draw < 0.95:
            return PersonStatus.ACTIVE
        if draw < 0.975:
            return PersonStatus.RETIRED
        if draw < 0.99:
            return PersonStatus.TRANSFERRED
        return PersonStatus.INACTIVE


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys for explicit inserts; call inside the writing transaction.

    PostgreSQL hands them out from the table's sequence (safe with concurrent writers). Elsewhere
    they follow the highest id ever used; a concurrent writer then fails on the primary key
    rather than mixing its rows into ours (SQLite serializes writers anyway).
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id, even a deleted one: respect its counter too.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + count + 1))


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances that carry their ids (see `allocate_ids`), as `insert_rows` does."""
    if not objs:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the proxy `connection` costs a lookup per use
    fields = model._meta.concrete_fields
    # pre_save fills the auto_now fields, as bulk_create would.
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields] for obj in objs]
    insert_rows(model, [f.column for f in fields], rows)


@dataclass(frozen=True)
class OrgSpec:
    """One organization to create; `parent` is the index of its parent in the same plan."""

    code: str
    name: str
    name_en: str
    kind: str
    parent: int | None


def insert_tree(plan: Sequence[OrgSpec]) -> list[int]:
    """Insert a planned tree (parents before children) with paths and depths set, in one insert.

    Returns the ids in the order of the plan. Rows are built directly: at 100,000 organizations
    model instances would cost more than the insert itself.
    """
    db = connections[DEFAULT_DB_ALIAS]
    kinds = ensure_default_kinds()
    now = Organization._meta.get_field("created_at").get_db_prep_save(timezone.now(), db)
    ids = allocate_ids(Organization, len(plan))
    paths: list[str] = []
    rows = []
    for spec, pk in zip(plan, ids, strict=True):
        parent_path = paths[spec.parent] if spec.parent is not None else "/"
        path = f"{parent_path}{pk}/"
        paths.append(path)
        parent_id = ids[spec.parent] if spec.parent is not None else None
        depth = path.count("/") - 2
        row = (pk, spec.code, spec.name, spec.name_en, kinds[spec.kind], parent_id, path, depth)
        rows.append((*row, True, now, now))
    fields = ("id", "code", "name", "name_en", "kind", "parent", "path", "depth", "is_active")
    columns = [Organization._meta.get_field(name).column for name in fields]
    insert_rows(Organization, [*columns, "created_at", "updated_at"], rows)
    return ids


def _with_ids(model: type[models.Model], objs: list) -> list:
    for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
    return objs


@dataclass(frozen=True)
class Unit:
    """An enterprise unit: its Chinese and English name and its sub-units (teams, departments)."""

    name: str
    name_en: str
    teams: tuple[tuple[str, str], ...] = ()
    number: str = ""  # committees: the prefix of their employee numbers
    numbered_branches: bool = False  # workshops name their branches 第一党支部, 第二党支部, …


COMMITTEES = (
    Unit("第十四研究所", "14th Research Institute", number="014"),
    Unit("第三十八研究所", "38th Research Institute", number="038"),
    Unit("第二十九研究所", "29th Research Institute", number="029"),
    Unit("第五十四研究所", "54th Research Institute", number="054"),
    Unit("第十研究所", "10th Research Institute", number="010"),
    Unit("第五十五研究所", "55th Research Institute", number="055"),
    Unit("电科数字", "CETC Digital Technology", number="801"),
    Unit("电科网安", "CETC Cyberspace Security", number="802"),
)
COMMITTEE_CODES = ("CETC14", "CETC38", "CETC29", "CETC54", "CETC10", "CETC55", "CETCDT", "CETCCS")

COMMITTEE_DEPARTMENTS = (
    ("综合办公室", "General Office"),
    ("党群工作部", "Party and Mass Work Department"),
    ("人力资源部", "Human Resources Department"),
    ("财务部", "Finance Department"),
    ("科技发展部", "Science and Technology Department"),
    ("纪检监察室", "Discipline Inspection Office"),
)

GENERAL_BRANCH_UNITS = (
    Unit(
        "研发中心",
        "R&D Center",
        (
            ("系统总体室", "System Engineering Office"),
            ("软件开发室", "Software Development Office"),
            ("硬件设计室", "Hardware Design Office"),
            ("算法研究室", "Algorithm Research Office"),
            ("测试验证室", "Test and Verification Office"),
            ("预先研究室", "Advanced Research Office"),
            ("项目管理室", "Project Management Office"),
        ),
    ),
    Unit(
        "雷达系统事业部",
        "Radar Systems Division",
        (
            ("总体设计室", "Overall Design Office"),
            ("天线室", "Antenna Office"),
            ("信号处理室", "Signal Processing Office"),
            ("结构设计室", "Structural Design Office"),
            ("电源室", "Power Supply Office"),
            ("综合保障室", "Integrated Support Office"),
        ),
    ),
    Unit(
        "信息系统事业部",
        "Information Systems Division",
        (
            ("指挥控制室", "Command and Control Office"),
            ("数据工程室", "Data Engineering Office"),
            ("网络通信室", "Network Communications Office"),
            ("软件平台室", "Software Platform Office"),
            ("集成测试室", "Integration Test Office"),
        ),
    ),
    Unit(
        "微电子中心",
        "Microelectronics Center",
        (
            ("芯片设计室", "Chip Design Office"),
            ("工艺技术室", "Process Technology Office"),
            ("封装测试室", "Packaging and Test Office"),
            ("器件研究室", "Device Research Office"),
            ("可靠性室", "Reliability Office"),
        ),
    ),
    Unit(
        "总装车间",
        "Final Assembly Workshop",
        (
            ("第一工段", "Section 1"),
            ("第二工段", "Section 2"),
            ("第三工段", "Section 3"),
            ("第四工段", "Section 4"),
            ("第五工段", "Section 5"),
            ("第六工段", "Section 6"),
        ),
        numbered_branches=True,
    ),
    Unit(
        "机加车间",
        "Machining Workshop",
        (
            ("车工班", "Turning Team"),
            ("铣工班", "Milling Team"),
            ("数控班", "CNC Team"),
            ("钳工班", "Fitting Team"),
            ("热处理班", "Heat Treatment Team"),
        ),
        numbered_branches=True,
    ),
    Unit(
        "电装车间",
        "Electronic Assembly Workshop",
        (
            ("表面贴装班", "SMT Team"),
            ("插装焊接班", "Through-hole Soldering Team"),
            ("整机调试班", "System Debugging Team"),
            ("检验班", "Inspection Team"),
            ("返修班", "Rework Team"),
        ),
        numbered_branches=True,
    ),
    Unit(
        "质量管理部",
        "Quality Management Department",
        (
            ("质量保证室", "Quality Assurance Office"),
            ("检验中心", "Inspection Center"),
            ("计量站", "Metrology Station"),
            ("可靠性中心", "Reliability Center"),
            ("质量体系室", "Quality System Office"),
        ),
    ),
    Unit(
        "市场营销部",
        "Marketing Department",
        (
            ("市场开发处", "Market Development Section"),
            ("客户服务处", "Customer Service Section"),
            ("国际业务处", "International Business Section"),
            ("商务合同处", "Contracts Section"),
            ("售后保障处", "After-sales Support Section"),
        ),
    ),
    Unit(
        "网络安全事业部",
        "Cybersecurity Division",
        (
            ("攻防实验室", "Offense and Defense Lab"),
            ("密码技术室", "Cryptography Office"),
            ("安全产品部", "Security Products Department"),
            ("安全服务部", "Security Services Department"),
            ("态势感知室", "Situational Awareness Office"),
        ),
    ),
    Unit(
        "数字化转型中心",
        "Digital Transformation Center",
        (
            ("云平台部", "Cloud Platform Department"),
            ("数据中台部", "Data Platform Department"),
            ("工业互联网部", "Industrial Internet Department"),
            ("智慧城市部", "Smart City Department"),
            ("应用交付部", "Application Delivery Department"),
        ),
    ),
    Unit(
        "测试中心",
        "Test Center",
        (
            ("环境试验室", "Environmental Test Lab"),
            ("电磁兼容室", "EMC Lab"),
            ("计量检测室", "Calibration Lab"),
            ("可靠性试验室", "Reliability Test Lab"),
            ("软件评测室", "Software Evaluation Lab"),
        ),
    ),
)

GENERAL_BRANCHES_PER_COMMITTEE = 5
BRANCHES_UNDER_GENERAL_BRANCHES = 192  # plus one office branch per committee: 200 branches
CN_ORDINALS = "一二三四五六七八九十"
EN_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth")
LEADING_GROUP_SIZE = 7
MAX_BRANCH_MEMBERS = 50  # DOMAIN: a branch has no more than about 50 members


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization_code: str
    superuser: bool = False


# The secretary's branch is the first branch of the first general branch of the first committee;
# secretary2 holds its sibling, so "a secretary never sees the branch next door" can be shown.
DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMINISTRATOR, DEMO_GROUP_CODE, superuser=True),
    DemoAccount("reviewer", Role.REVIEWER, DEMO_GROUP_CODE),
    # The first committee's organization department: it confirms its branches' stars and
    # approves their appraisals of members.
    DemoAccount("committee", Role.REVIEWER, COMMITTEE_CODES[0]),
    DemoAccount("secretary", Role.SECRETARY, f"{COMMITTEE_CODES[0]}-01-01"),
    DemoAccount("secretary2", Role.SECRETARY, f"{COMMITTEE_CODES[0]}-01-02"),
    DemoAccount("auditor", Role.AUDITOR, DEMO_GROUP_CODE),
    # Discipline inspection of the whole group: records negative events on the units below it.
    DemoAccount("inspector", Role.INSPECTOR, DEMO_GROUP_CODE),
    # The finance side of the group: enters and imports business figures.
    DemoAccount("finance", Role.FINANCE, DEMO_GROUP_CODE),
)


@dataclass
class DemoSummary:
    """What the demo holds (counted from the database) and whether this run created it."""

    created: bool
    organizations: dict[str, int] = field(default_factory=dict)  # by kind code
    departments: int = 0
    leading_groups: int = 0
    people: dict[str, int] = field(default_factory=dict)  # by person kind
    accounts: list[str] = field(default_factory=list)

    @property
    def people_total(self) -> int:
        return sum(self.people.values())


@dataclass(frozen=True)
class _BranchPlan:
    code: str
    committee_code: str
    committee: Unit
    # (organization code, department code) of the team it staffs; None for the office branch,
    # whose people work in the committee's own departments.
    department: tuple[str, str] | None


@dataclass
class _DemoPlan:
    orgs: list[OrgSpec] = field(default_factory=list)
    departments: list[tuple[str, str, str, str]] = field(default_factory=list)  # org, code, names
    branches: list[_BranchPlan] = field(default_factory=list)

    def add(self, code: str, name: str, name_en: str, kind: str, parent: int | None) -> int:
        """Plan an organization; returns its index, which its children name as their parent."""
        self.orgs.append(OrgSpec(code, name, name_en, kind, parent))
        return len(self.orgs) - 1


def demo_group() -> Organization | None:
    return Organization.objects.filter(code=DEMO_GROUP_CODE).first()


def seed_demo(
    *, scale: float = 1.0, seed: int = DEMO_SEED, today: date | None = None
) -> DemoSummary:
    """Build the demo group and its accounts unless the group exists already (then change nothing).

    `scale` (0 < scale ≤ 1) shrinks the number of people only, for quick tests; the tree stays.
    A user who already exists under a demo account's name keeps their password.
    """
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    with transaction.atomic():
        group = demo_group()
        created = group is None
        if created:
            rng = random.Random(seed)
            plan = _plan_demo(rng)
            orgs = dict(zip((o.code for o in plan.orgs), insert_tree(plan.orgs), strict=True))
            department_ids = _insert_departments(plan, orgs)
            people = _insert_people(
                rng, plan, orgs, department_ids, scale, today or timezone.localdate()
            )
            _insert_leading_groups(orgs, people)
            _create_demo_accounts()
            group = demo_group()
    return _summarize(group, created=created)


def _plan_demo(rng: random.Random) -> _DemoPlan:
    plan = _DemoPlan()
    group = plan.add(
        DEMO_GROUP_CODE, "中国电子科技集团有限公司党组", "CETC Party Leadership Group", GROUP, None
    )
    chosen = [rng.sample(GENERAL_BRANCH_UNITS, GENERAL_BRANCHES_PER_COMMITTEE) for _ in COMMITTEES]
    sizes = iter(_branch_counts(rng, [unit for units in chosen for unit in units]))
    for code, unit, units in zip(COMMITTEE_CODES, COMMITTEES, chosen, strict=True):
        committee = plan.add(
            code, f"{unit.name}党委", f"{unit.name_en} Party Committee", COMMITTEE, group
        )
        for index, (name, name_en) in enumerate(COMMITTEE_DEPARTMENTS, start=1):
            plan.departments.append((code, f"D{index:02d}", name, name_en))
        for number, gb_unit in enumerate(units, start=1):
            gb_code = f"{code}-{number:02d}"
            general_branch = plan.add(
                gb_code,
                f"{gb_unit.name}党总支",
                f"{gb_unit.name_en} General Branch",
                GENERAL_BRANCH,
                committee,
            )
            for index in range(next(sizes)):
                team, team_en = gb_unit.teams[index]
                if gb_unit.numbered_branches:
                    name, name_en = f"第{CN_ORDINALS[index]}党支部", f"{EN_ORDINALS[index]} Branch"
                else:
                    name, name_en = f"{team}党支部", f"{team_en} Branch"
                branch_code = f"{gb_code}-{index + 1:02d}"
                plan.add(branch_code, name, name_en, BRANCH, general_branch)
                plan.departments.append((gb_code, f"D{index + 1:02d}", team, team_en))
                plan.branches.append(
                    _BranchPlan(branch_code, code, unit, (gb_code, f"D{index + 1:02d}"))
                )
        # The committee's offices and leaders belong to its office branch (机关党支部).
        office_code = f"{code}-JG"
        plan.add(office_code, "机关党支部", "Office Branch", BRANCH, committee)
        plan.branches.append(_BranchPlan(office_code, code, unit, None))
    return plan


def _branch_counts(rng: random.Random, units: list[Unit]) -> list[int]:
    """Branches per general branch: from 3 up to its number of teams, a fixed total."""
    counts = [3] * len(units)
    open_slots = [i for i, unit in enumerate(units) if len(unit.teams) > 3]
    for _ in range(BRANCHES_UNDER_GENERAL_BRANCHES - sum(counts)):
        if not open_slots:
            break
        index = rng.choice(open_slots)
        counts[index] += 1
        if counts[index] == len(units[index].teams):
            open_slots.remove(index)
    return counts


def _insert_departments(plan: _DemoPlan, orgs: dict[str, int]) -> dict[tuple[str, str], int]:
    rows = [
        Department(organization_id=orgs[org], code=code, name=name, name_en=name_en)
        for org, code, name, name_en in plan.departments
    ]
    bulk_insert(Department, _with_ids(Department, rows))
    return {
        (org, code): row.pk
        for (org, code, *_names), row in zip(plan.departments, rows, strict=True)
    }


def _insert_people(
    rng: random.Random,
    plan: _DemoPlan,
    orgs: dict[str, int],
    department_ids: dict[tuple[str, str], int],
    scale: float,
    today: date,
) -> dict[str, list[Person]]:
    """About 6,000 people, three in four party members; returns each office branch's people."""
    maker = PersonMaker(rng, today)
    office_departments = {
        code: [
            department_ids[(code, f"D{i:02d}")] for i in range(1, len(COMMITTEE_DEPARTMENTS) + 1)
        ]
        for code in COMMITTEE_CODES
    }
    serials: Counter[str] = Counter()
    people: list[Person] = []
    offices: dict[str, list[Person]] = {}
    for branch in plan.branches:
        office = branch.department is None
        if office:
            party, staff = rng.randint(30, 45), rng.randint(8, 14)
        else:
            party = rng.randint(8, 36)
            staff = round(party * rng.uniform(0.2, 0.45))
        core = LEADING_GROUP_SIZE if office else 3  # leaders, or the full members a branch needs
        party = min(MAX_BRANCH_MEMBERS, max(core, round(party * scale)))
        staff = round(staff * scale)
        members: list[Person] = []
        for index in range(party + staff):
            leader = office and index < LEADING_GROUP_SIZE
            if branch.department is not None:
                department_id = department_ids[branch.department]
            elif leader:
                department_id = None
            else:
                departments = office_departments[branch.committee_code]
                department_id = departments[index % len(departments)]
            serials[branch.committee.number] += 1
            members.append(
                maker.make(
                    organization_id=orgs[branch.code],
                    employee_number=f"{branch.committee.number}"
                    f"{serials[branch.committee.number]:05d}",
                    party=index < party,
                    department_id=department_id,
                    full_member=index < core,
                    active=leader,
                )
            )
        people.extend(members)
        if office:
            offices[branch.committee_code] = members
    bulk_insert(Person, _with_ids(Person, people))
    Membership.objects.open_missing()
    return offices


def _insert_leading_groups(orgs: dict[str, int], offices: dict[str, list[Person]]) -> None:
    """One leading group per committee, its members the first people of the office branch."""
    groups = [
        LeadingGroup(
            organization_id=orgs[code],
            name=f"{unit.name}领导班子",
            name_en=f"{unit.name_en} leading group",
        )
        for code, unit in zip(COMMITTEE_CODES, COMMITTEES, strict=True)
    ]
    bulk_insert(LeadingGroup, _with_ids(LeadingGroup, groups))
    through = LeadingGroup.members.through
    through.objects.bulk_create(
        through(leadinggroup_id=group.pk, person_id=person.pk)
        for group, code in zip(groups, COMMITTEE_CODES, strict=True)
        for person in offices[code][:LEADING_GROUP_SIZE]
    )


def _create_demo_accounts() -> None:
    user_model = get_user_model()
    codes = {account.organization_code for account in DEMO_ACCOUNTS}
    orgs = Organization.objects.in_bulk(codes, field_name="code")
    # One hash for all: they share the password, and each PBKDF2 hash costs a noticeable moment.
    password = make_password(settings.DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        user, _created = user_model.objects.get_or_create(
            username=account.username,
            defaults={
                "password": password,
                "is_superuser": account.superuser,
                "is_staff": account.superuser,
            },
        )
        assign_role(user=user, organization=orgs[account.organization_code], role=account.role)


def _summarize(group: Organization, *, created: bool) -> DemoSummary:
    in_demo = {"organization__path__startswith": group.path}
    orgs = (
        Organization.objects.subtree(group).values_list("kind__code").annotate(models.Count("id"))
    )
    people = Person.objects.filter(**in_demo).values_list("kind").annotate(models.Count("id"))
    accounts = get_user_model().objects.filter(
        username__in=[a.username for a in DEMO_ACCOUNTS], role_assignments__isnull=False
    )
    return DemoSummary(
        created=created,
        organizations=dict(orgs),
        departments=Department.objects.filter(**in_demo).count(),
        leading_groups=LeadingGroup.objects.filter(**in_demo).count(),
        people=dict(people),
        accounts=sorted(set(accounts.values_list("username", flat=True))),
    )


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as `demo_logins` shows it."""

    username: str
    superuser: bool
    password_unchanged: bool
    roles: list[tuple[str, Organization]]  # (role value, organization)


def demo_logins() -> list[DemoLogin] | None:
    """The demo accounts with their roles, or None when the demo is not loaded."""
    migrated = Organization._meta.db_table in connection.introspection.table_names()
    if not migrated or demo_group() is None:
        return None
    usernames = [account.username for account in DEMO_ACCOUNTS]
    users = {
        user.username: user
        for user in get_user_model()
        .objects.filter(username__in=usernames)
        .prefetch_related("role_assignments__organization")
    }
    checked: dict[str, bool] = {}  # by hash: the demo accounts share one, so one check
    logins = []
    for username in usernames:
        user = users.get(username)
        if user is None:
            continue
        if user.password not in checked:
            checked[user.password] = check_password(settings.DEMO_PASSWORD, user.password)
        roles = [(ra.role, ra.organization) for ra in user.role_assignments.all()]
        logins.append(DemoLogin(username, user.is_superuser, checked[user.password], roles))
    return logins


SYNTHETIC_KINDS = (GROUP, COMMITTEE, COMMITTEE, GENERAL_BRANCH, BRANCH)
SYNTHETIC_LEVEL_NAMES = (
    ("合成集团党组", "Synthetic group leadership"),
    ("党委", "Party Committee"),
    ("二级党委", "Sub-committee"),
    ("党总支", "General Branch"),
    ("党支部", "Branch"),
)
MIN_SYNTHETIC_ORGS = len(SYNTHETIC_KINDS)


def synthetic_level_sizes(total: int) -> list[int]:
    """Organizations per level (group, committees, sub-committees, general branches, branches).

    The inner levels fan out by the same f, chosen so general branches hold about eight branches
    each; the branches take the rest, so the total is exact. 10,000 → 1, 10, 100, 1000, 8889.
    """
    if total < MIN_SYNTHETIC_ORGS:
        raise ValueError(f"a five-level tree needs at least {MIN_SYNTHETIC_ORGS} organizations")
    fan_out = 1
    while 8 * (fan_out + 1) ** 3 <= total:
        fan_out += 1
    inner = [1, fan_out, fan_out**2, fan_out**3]
    return [*inner, total - sum(inner)]


def plan_synthetic_tree(total: int, seed: int) -> list[OrgSpec]:
    """A seeded tree of exactly `total` organizations, parents before children.

    Every parent gets at least one child; the rest are spread at random, so the seed shapes the
    tree while the level sizes stay fixed.
    """
    rng = random.Random(f"synthetic-tree:{seed}")
    plan = [OrgSpec(SYNTHETIC_ROOT_CODE, *SYNTHETIC_LEVEL_NAMES[0], SYNTHETIC_KINDS[0], None)]
    parents = [0]
    for level, size in enumerate(synthetic_level_sizes(total)[1:], start=1):
        counts = [1] * len(parents)
        for index in rng.choices(range(len(parents)), k=size - len(parents)):
            counts[index] += 1
        width = max(2, len(str(max(counts))))
        name, name_en = SYNTHETIC_LEVEL_NAMES[level]
        children = []
        for parent, count in zip(parents, counts, strict=True):
            parent_code = plan[parent].code
            for number in range(1, count + 1):
                code = f"{parent_code}-{number:0{width}d}"
                children.append(len(plan))
                plan.append(
                    OrgSpec(
                        code, f"{code} {name}", f"{code} {name_en}", SYNTHETIC_KINDS[level], parent
                    )
                )
        parents = children
    return plan


@dataclass
class SyntheticSummary:
    """What seed_synthetic inserted, and how long each step took."""

    organizations: int
    people: int
    seconds: dict[str, float]


def synthetic_root() -> Organization | None:
    return Organization.objects.filter(code=SYNTHETIC_ROOT_CODE).first()


def delete_synthetic() -> int:
    """Delete the synthetic tree with its people; returns how many organizations went."""
    root = synthetic_root()
    if root is None:
        return 0
    subtree = Organization.objects.filter(path__startswith=root.path)
    with transaction.atomic():
        Person.objects.filter(organization__path__startswith=root.path).delete()
        count = subtree.count()
        # Deepest first: the parent link protects a parent from going before its children.
        for depth in range(subtree.aggregate(d=models.Max("depth"))["d"], -1, -1):
            subtree.filter(depth=depth).delete()
    return count


def build_synthetic(*, orgs: int, seed: int, people_per_branch: int = 5) -> SyntheticSummary:
    """Insert a synthetic tree of exactly `orgs` organizations and its people, in one transaction.

    Refuses (ValueError) when a synthetic tree exists already: delete it first.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    plan = plan_synthetic_tree(orgs, seed)
    seconds["plan"] = time.perf_counter() - started
    with transaction.atomic():
        if synthetic_root() is not None:
            raise ValueError("a synthetic tree exists already")
        started = time.perf_counter()
        org_ids = insert_tree(plan)
        seconds["organizations"] = time.perf_counter() - started

        started = time.perf_counter()
        maker = PersonMaker(random.Random(f"synthetic-people:{seed}"), SYNTHETIC_TODAY)
        updated_at = Person._meta.get_field("updated_at")
        now = updated_at.get_db_prep_save(timezone.now(), connection)
        people = []
        for org_id, spec in zip(org_ids, plan, strict=True):
            if spec.kind != BRANCH:
                continue
            for index in range(people_per_branch):
                # The first three are full members: a branch needs three (DOMAIN).
                core = index < 3
                party = core or maker.rng.random() < maker.party_share
                name, kind, since, status = maker.draw(party=party, full_member=core)
                number = f"{SYNTHETIC_ROOT_CODE}{len(people) + 1:08d}"
                people.append((name, number, org_id, kind, since, status, now))
        seconds["people: generate"] = time.perf_counter() - started
        started = time.perf_counter()
        columns = ["name", "employee_number", "organization_id", "kind", "party_member_since"]
        insert_rows(Person, [*columns, "status", updated_at.column], people)
        seconds["people: insert"] = time.perf_counter() - started
    return SyntheticSummary(organizations=len(org_ids), people=len(people), seconds=seconds)


def tree_digest(root_code: str) -> str:
    """A digest of a tree's content independent of ids: codes, parents, kinds, names, people."""
    root = Organization.objects.get(code=root_code)
    digest = hashlib.sha256()
    rows = (
        Organization.objects.filter(path__startswith=root.path)
        .order_by("code")
        .values_list("code", "parent__code", "kind__code", "depth", "name", "name_en")
    )
    for row in rows:
        digest.update(repr(row).encode())
    people = (
        Person.objects.filter(organization__path__startswith=root.path)
        .order_by("employee_number")
        .values_list(
            "employee_number", "name", "organization__code", "kind", "party_member_since", "status"
        )
    )
    # Not .iterator(): PostgreSQL plans a server-side cursor for the first rows, a hundred times
    # slower here than fetching the lot.
    for row in people:
        digest.update(repr(row).encode())
    return digest.hexdigest()
