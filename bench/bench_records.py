"""Benchmark of the values counted from records (issue 14), on PostgreSQL; a script, not a test.

    createdb -h 127.0.0.1 -U postgres pb_h5_bench      # a scratch database: it is migrated, its
                                                        # synthetic tree replaced and its records
                                                        # tables emptied
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_h5_bench \\
        python bench/bench_records.py [--orgs 10000] [--people-per-branch 10] [--runs 3] [--reuse]

The scale comes from the options or, for `make bench` and smoke tests, from the environment:
RECORDS_BENCH_ORGS (default 10,000), RECORDS_BENCH_PEOPLE (people per branch, default 10),
RECORDS_BENCH_RUNS (default 3). `RECORDS_BENCH_ORGS=200` runs in well under a minute.

Data (`seed`): `seed_synthetic --orgs N --seed 1 --replace --people-per-branch P`, a membership
for everyone who belongs (`Membership.objects.open_missing`: the active and the retired, who pay
dues at the retired rates on a pension), 1 % of the active party members moved to another
branch on a day of the year (membership closed the day before, a new one opened), a framework
(code BENCHREC, `framework_document`) whose indicators are all counted from records — every
records source kind, for the four organization kinds and party members — with the shipped
framework's records section, and its year 2025 opened (one submission per organization and
party member). Then a year of records written with COPY, Python making the rows as the database
reads them: every meeting the records section requires of each organization kind (a branch: 12
支委会, 12 主题党日, 12 党小组会 for each of its 3–4 party groups, 4 党员大会, 4 党课, a 组织生活会
and a 民主评议; about 3 % skipped) with the attendance of the members expected that day (the
group's members for a group meeting), 12 months of dues per member, talks, study records, two
points lines per member and month, a few negative events. At 10,000 organizations and 10 people
per branch (about 70,000 party members): 690,000 meetings, 3.1 million attendance rows, 840,000
dues payments, 280,000 study records, 1.7 million points lines; seeded in about 2 minutes.

Measured, in the same run (alternating, median of `--runs`):

1. `assessment.sources.count_all(period)`: every counted value of every submission of the period
   (the registry's computations, as the nightly recount and the entry pages use them), with the
   number of queries it issued (bounded: it must not grow with the organizations) and, in one
   extra run, the time of each source kind;
2. the baseline: the same aggregates as plain SQL `GROUP BY` statements run with a cursor and
   fetched (`BASELINE`): meetings per organization and kind, months with meetings, attendance
   expected / present / excused per person and per organization subtree, dues on time ÷ due,
   talk coverage, study hours per member, points, negative events. Subtrees are summed by
   unnesting each organization's path into its ancestors;
3. agreement: the baseline's numbers, turned into values of the same submissions and indicators,
   compared with count_all's, every one of them.

The load average (`uptime`) is printed at the start and the end: the machine may be shared.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

FRAMEWORK_CODE = "BENCHREC"
YEAR = 2025
TODAY = date(YEAR + 1, 1, 15)  # every month of the year is over
ORG_KINDS = ("group", "committee", "general_branch", "branch")  # the synthetic tree's kinds
PERSON_KIND = "party_member"
TRANSFER_SHARE = 0.01
SKIP_SHARE = 0.03
EXCUSES = ("出差", "病假", "培训", "事假")
CENT = Decimal("0.01")
RECORD_TABLES = (
    "records_decisiondocument",
    "records_negativeevent",
    "records_pointspublication",
    "records_pointsentry",
    "records_studyrecord",
    "records_duespayment",
    "records_talk",
    "records_meetingattachment",
    "records_attendance",
    "records_meeting",
)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


UNITS = {"percentage": text("%", "%"), "count": text("次", "times"), "number": text("个", "each")}


# -- the framework ------------------------------------------------------------------------------


def framework_document() -> dict[str, Any]:
    """A framework whose every indicator is counted from records: each source kind of the
    records app, for the organization kinds of the synthetic tree and for party members.

    An indicator applies to one subject kind (so the weights of each add up to 100); indicators
    of several kinds with the same source share one computation in `count_all`.
    """
    from assessment.scoring.spec import load_file
    from partybuild.demo.assessment import FRAMEWORK_FILE
    from records.config import parse

    shipped = load_file(FRAMEWORK_FILE)
    config = parse(shipped["records"])
    plans: dict[str, list[tuple[dict, str, str]]] = {kind: [] for kind in (*ORG_KINDS, PERSON_KIND)}
    for kind in ORG_KINDS:
        for meeting in config.kinds_for(kind):
            source = {"kind": "meetings", "meeting_kind": meeting.code}
            plans[kind].append((source, "count", "bands"))
            if meeting.per_month:
                source = {"kind": "months_with_meetings", "meeting_kind": meeting.code}
                plans[kind].append((source, "count", "bands"))
        plans[kind] += [
            ({"kind": "attendance_rate"}, "percentage", "linear"),
            ({"kind": "attendance_expected"}, "count", "none"),
            ({"kind": "attendance_present"}, "count", "none"),
            ({"kind": "dues_on_time_rate"}, "percentage", "linear"),
            ({"kind": "talk_coverage"}, "percentage", "linear"),
            ({"kind": "study_hours_per_member"}, "number", "linear"),
            ({"kind": "negative_events"}, "count", "deduction"),
        ]
    plans[PERSON_KIND] = [
        ({"kind": "attendance_rate"}, "percentage", "linear"),
        ({"kind": "attendance_expected"}, "count", "none"),
        ({"kind": "attendance_present"}, "count", "none"),
        ({"kind": "dues_on_time_months"}, "count", "bands"),
        ({"kind": "study_hours"}, "number", "linear"),
        ({"kind": "points"}, "number", "linear"),
    ]
    prefixes = {
        "group": "G",
        "committee": "C",
        "general_branch": "Z",
        "branch": "B",
        PERSON_KIND: "P",
    }
    indicators = []
    for kind, plan in plans.items():
        scored = [p for p in plan if p[2] != "none"]
        weight = round(100 / len(scored), 6)
        given = 0
        for number, (source, value_type, rubric) in enumerate(plan, start=1):
            item: dict[str, Any] = {
                "code": f"{prefixes[kind]}.{number:02d}",
                "name": text(f"{source['kind']} {number}", f"{source['kind']} {number}"),
                "dimension": "R1" if "meeting" in source["kind"] else "R2",
                "applies_to": [kind],
                "value_type": value_type,
                "unit": UNITS[value_type],
                "direction": "lower" if rubric == "deduction" else "higher",
                "weight": 0,
                "frequency": "year",
                "source": source,
            }
            if rubric != "none":
                given += 1
                last = round(100 - weight * (len(scored) - 1), 6)
                item["weight"] = weight if given < len(scored) else last
            if rubric == "bands":
                item["rubric"] = {
                    "kind": "bands",
                    "bands": [
                        {"min": 12, "fraction": 1.0},
                        {"min": 9, "fraction": 0.8},
                        {"min": 3, "fraction": 0.5},
                    ],
                }
            elif rubric == "linear":
                item["target"] = 100 if value_type == "percentage" else 20
                item["rubric"] = {"kind": "linear", "floor": 0}
            elif rubric == "deduction":
                item["rubric"] = {"kind": "deduction", "per": 1}
            else:
                item["rubric"] = {"kind": "none"}
            indicators.append(item)
    return {
        "code": FRAMEWORK_CODE,
        "version": "1",
        "name": text("组织生活记录基准", "Records benchmark"),
        "goal": text("目标", "Goal"),
        "total_points": 100,
        "grade_bands": shipped["grade_bands"],
        "star_bands": shipped["star_bands"],
        "subject_kinds": [
            *(
                {"code": kind, "unit": "organization", "name": text(kind, kind)}
                for kind in ORG_KINDS
            ),
            {"code": PERSON_KIND, "unit": "person", "name": text("党员", "Party member")},
        ],
        "axes": [
            {
                "code": "records",
                "name": text("组织生活", "Party life"),
                "dimensions": [
                    {"code": "R1", "name": text("会议", "Meetings")},
                    {"code": "R2", "name": text("党员", "Members")},
                ],
            }
        ],
        "indicators": indicators,
        "records": shipped["records"],
    }


# -- seeding ------------------------------------------------------------------------------------


def clean() -> None:
    """Empty the records tables and delete the benchmark's periods and framework (a scratch
    database: records of anything else in it go too)."""
    from django.db import connection

    from assessment.models import Framework, Indicator, Period

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(RECORD_TABLES)}")
    Period.objects.filter(framework__code=FRAMEWORK_CODE).delete()
    Indicator.objects.filter(framework__code=FRAMEWORK_CODE).delete()
    Framework.objects.filter(code=FRAMEWORK_CODE).delete()


class Tree:
    """The synthetic tree and its party members, with where each member belonged when."""

    def __init__(self) -> None:
        from organizations.choices import PersonKind, PersonStatus
        from organizations.models import BELONGING, Organization, Person
        from partybuild.demo.organizations import synthetic_root

        root = synthetic_root()
        self.orgs = list(
            Organization.objects.filter(path__startswith=root.path)
            .order_by("path")
            .values_list("pk", "code", "kind__code")
        )
        self.branches = [pk for pk, _code, kind in self.orgs if kind == "branch"]
        self.members: dict[int, list[int]] = defaultdict(list)  # organization → members
        self.home: dict[int, int] = {}
        self.retired: set[int] = set()  # they stay in their branch, at the retired dues rates
        for pk, org, status in (
            Person.objects.filter(organization__path__startswith=root.path, status__in=BELONGING)
            .exclude(kind=PersonKind.STAFF)
            .order_by("employee_number")
            .values_list("pk", "organization_id", "status")
        ):
            self.members[org].append(pk)
            self.home[pk] = org
            if status == PersonStatus.RETIRED:
                self.retired.add(pk)
        # Moved members: person → (old organization, new organization, day of the move).
        self.moved: dict[int, tuple[int, int, date]] = {}

    def transfer(self, rng: random.Random) -> int:
        """Move a share of the members to another branch on a day of the year (the membership
        history, as Person.save would keep it)."""
        from django.db import connection

        from core.bulk import insert_rows
        from organizations.models import Membership

        people = sorted(set(self.home) - self.retired)
        for pk in rng.sample(people, round(len(people) * TRANSFER_SHARE)):
            old = self.home[pk]
            new = rng.choice(self.branches)
            if new == old:
                continue
            day = date(YEAR, 1, 1) + timedelta(days=rng.randint(31, 330))
            self.moved[pk] = (old, new, day)
            self.members[new].append(pk)
        if not self.moved:
            return 0
        values = ", ".join(["(%s, %s::date, %s)"] * len(self.moved))
        params = [
            x for pk, (_old, new, day) in self.moved.items() for x in (pk, day - timedelta(1), new)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE organizations_membership m SET "end" = v.d FROM (VALUES {values}) '
                "v(p, d, o) WHERE m.person_id = v.p",
                params,
            )
            cursor.execute(
                f"UPDATE organizations_person p SET organization_id = v.o FROM (VALUES {values}) "
                "v(i, d, o) WHERE p.id = v.i",
                params,
            )
        insert_rows(
            Membership,
            ["person_id", "organization_id", "start"],
            [(pk, new, day) for pk, (_old, new, day) in self.moved.items()],
        )
        return len(self.moved)

    def org_on(self, person: int, day: date) -> int:
        move = self.moved.get(person)
        if move is None:
            return self.home[person]
        return move[1] if day >= move[2] else move[0]

    def expected(self, org: int, day: date) -> list[int]:
        return [p for p in self.members.get(org, ()) if self.org_on(p, day) == org]


def workdays(month: date) -> list[date]:
    following = (month + timedelta(days=32)).replace(day=1)
    days = [month + timedelta(days=n) for n in range((following - month).days)]
    return [d for d in days if d.weekday() < 5]


def plan_meetings(tree: Tree, config, rng: random.Random) -> tuple[list[tuple], dict[int, int]]:
    """(organization, kind, party group or None, date) of every meeting of the year, and how
    many party groups each organization has."""
    months = [date(YEAR, m, 1) for m in range(1, 13)]
    days = {m: workdays(m) for m in months}
    planned = []
    party_groups: dict[int, int] = {}
    for org, _code, org_kind in tree.orgs:
        groups = party_groups[org] = rng.choice((3, 3, 4, 4))
        for kind in config.kinds_for(org_kind):
            slots = [m for m in months for _ in range(kind.per_month)]
            for quarter in range(4):
                slots += [months[quarter * 3 + rng.randint(0, 2)]] * kind.per_quarter
            slots += [months[rng.randint(0, 2)]] * kind.per_year
            for month in slots:
                for group in range(groups) if kind.party_group else (None,):
                    if rng.random() >= SKIP_SHARE:
                        planned.append((org, kind.code, group, rng.choice(days[month])))
    return planned, party_groups


def seed(orgs: int, people: int) -> dict[str, Any]:
    """Tree, memberships, transfers, framework, open year and a year of records."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from assessment.choices import PeriodKind
    from assessment.services.frameworks import load_framework, publish_framework
    from assessment.services.periods import create_period, open_period
    from organizations.models import Membership
    from partybuild.demo.organizations import allocate_ids
    from partybuild.demo.records import insert_records
    from records.config import config_for
    from records.models import (
        Attendance,
        DuesPayment,
        Meeting,
        NegativeEvent,
        PointsEntry,
        StudyRecord,
        Talk,
    )

    rng = random.Random(f"bench-records:{orgs}:{people}")
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}

    def step(name: str, started: float) -> None:
        seconds[name] = time.perf_counter() - started
        print(f"  {name}: {seconds[name]:.1f} s", flush=True)

    started = time.perf_counter()
    clean()
    step("clean", started)

    started = time.perf_counter()
    call_command(
        "seed_synthetic",
        orgs=orgs,
        seed=1,
        replace=True,
        people_per_branch=people,
        stdout=io.StringIO(),
    )
    Membership.objects.open_missing()
    tree = Tree()
    counts["transfers"] = tree.transfer(rng)
    step("seed_synthetic + memberships + transfers", started)

    started = time.perf_counter()
    framework = publish_framework(load_framework(framework_document()))
    period = create_period(
        framework=framework,
        kind=PeriodKind.YEAR,
        name=f"{YEAR} 年度",
        name_en=str(YEAR),
        start=date(YEAR, 1, 1),
        end=date(YEAR, 12, 31),
        deadline=date(YEAR + 1, 1, 31),
    )
    counts["submissions"] = open_period(period)
    config = config_for(framework)
    step("framework + open period", started)

    user, _created = get_user_model().objects.get_or_create(username="bench-records")
    stamp = Meeting._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    months = [date(YEAR, m, 1) for m in range(1, 13)]
    month_ends = [(m + timedelta(days=32)).replace(day=1) - timedelta(days=1) for m in months]
    with transaction.atomic():
        started = time.perf_counter()
        planned, party_groups = plan_meetings(tree, config, rng)
        ids = allocate_ids(Meeting, len(planned))
        names = {k.code: k.name for k in config.meeting_kinds}
        insert_records(
            Meeting,
            [
                "id",
                "organization_id",
                "kind",
                "party_group",
                "date",
                "place",
                "topic",
                "minutes",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            (
                (
                    pk,
                    org,
                    kind,
                    "" if group is None else f"第{group + 1}党小组",
                    day,
                    "",
                    names[kind],
                    "",
                    1,
                    user.pk,
                    stamp,
                    stamp,
                )
                for pk, (org, kind, group, day) in zip(ids, planned, strict=True)
            ),
        )
        counts["meetings"] = len(planned)
        step("meetings", started)

        started = time.perf_counter()
        present: dict[tuple[int, int], int] = defaultdict(int)  # (person, month) → present
        grouped = {k.code for k in config.meeting_kinds if k.party_group}

        written = [0]

        def attendance():
            random_ = rng.random
            for pk, (org, kind, group, day) in zip(ids, planned, strict=True):
                expected = tree.expected(org, day)
                if kind in grouped:  # the roll of the party group: every n-th member
                    groups = party_groups[org]
                    expected = [p for i, p in enumerate(expected) if i % groups == group]
                month = day.month - 1
                written[0] += len(expected)
                for person in expected:
                    draw = random_()
                    if draw < 0.92:
                        present[(person, month)] += 1
                        yield (pk, person, "present", "")
                    elif draw < 0.985:
                        yield (pk, person, "excused", EXCUSES[int(draw * 1000) % len(EXCUSES)])
                    else:
                        yield (pk, person, "absent", "")

        insert_records(Attendance, ["meeting_id", "person_id", "presence", "reason"], attendance())
        counts["attendance"] = written[0]
        step("attendance", started)

        started = time.perf_counter()
        on_time: dict[tuple[int, int], bool] = {}

        def dues():
            for person in sorted(tree.home):
                retired = person in tree.retired
                mu, top = (8.7, 10_000) if retired else (9.3, 25_000)
                base = Decimal(min(top, max(4_000, round(rng.lognormvariate(mu, 0.3), -1))))
                rate = config.rate_for(base, "retired" if retired else "regular")
                due = max((base * rate).quantize(CENT, rounding=ROUND_HALF_UP), config.dues_minimum)
                for index, (month, end) in enumerate(zip(months, month_ends, strict=True)):
                    draw = rng.random()
                    paid, paid_on = due, month + timedelta(days=int(draw * 1000) % 25)
                    if draw >= 0.99:
                        paid, paid_on = None, None
                    elif draw >= 0.97:
                        paid = (due / 2).quantize(CENT)
                    elif draw >= 0.93:
                        paid_on = end + timedelta(days=5)
                    on_time[(person, index)] = draw < 0.93
                    org = tree.org_on(person, end)
                    yield (person, org, month, base, rate, due, paid, paid_on, "entered")

        columns = ["person_id", "organization_id", "month", "base", "rate", "due", "paid"]
        insert_records(
            DuesPayment,
            [*columns, "paid_on", "source", "updated_by_id", "updated_at"],
            ((*row, user.pk, stamp) for row in dues()),
        )
        counts["dues"] = len(on_time)
        step("dues", started)

        started = time.perf_counter()
        talks = []
        for org in tree.branches:
            for _ in range(rng.randint(3, 8)):
                day = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 364))
                expected = tree.expected(org, day)
                if len(expected) >= 2:
                    talker, partner = expected[0], rng.choice(expected[1:])
                    talks.append((org, talker, partner, day, "谈心谈话", "", user.pk, stamp))
        insert_records(
            Talk,
            [
                "organization_id",
                "talker_id",
                "partner_id",
                "date",
                "topic",
                "note",
                "created_by_id",
                "created_at",
            ],
            talks,
        )
        counts["talks"] = len(talks)

        def study():
            for person in sorted(tree.home):
                for _ in range(rng.randint(2, 6)):
                    day = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 364))
                    hours = Decimal(rng.choice(("1.0", "2.0", "3.0", "8.0", "16.0")))
                    org = tree.org_on(person, day)
                    yield (person, org, day, "online", "网络学习", hours, "entered", user.pk, stamp)

        insert_records(
            StudyRecord,
            [
                "person_id",
                "organization_id",
                "date",
                "kind",
                "title",
                "hours",
                "source",
                "created_by_id",
                "created_at",
            ],
            study(),
        )
        counts["study"] = StudyRecord.objects.count()
        step("talks + study", started)

        started = time.perf_counter()

        def points():
            for (person, index), on in on_time.items():
                org = tree.org_on(person, month_ends[index])
                if present.get((person, index)):
                    yield (
                        person,
                        org,
                        months[index],
                        "rule",
                        "attend",
                        2 * present[(person, index)],
                    )
                yield (
                    person,
                    org,
                    months[index],
                    "rule",
                    "dues" if on else "dues_late",
                    1 if on else -2,
                )

        insert_records(
            PointsEntry,
            [
                "person_id",
                "organization_id",
                "month",
                "kind",
                "rule",
                "points",
                "reason",
                "state",
                "created_at",
            ],
            ((*row, "", "approved", stamp) for row in points()),
        )
        counts["points"] = PointsEntry.objects.count()

        events = [
            (
                org,
                rng.choice(("discipline", "integrity", "safety")),
                rng.choice(("minor", "serious")),
            )
            for org, _code, _kind in tree.orgs
            if rng.random() < 0.02
        ]
        insert_records(
            NegativeEvent,
            [
                "organization_id",
                "category",
                "severity",
                "date",
                "title",
                "description",
                "decision_number",
                "entered_by_id",
                "created_at",
                "updated_at",
            ],
            [
                (org, category, severity, date(YEAR, 6, 1), "事件", "", "", user.pk, stamp, stamp)
                for org, category, severity in events
            ],
        )
        counts["negative_events"] = len(events)
        step("points + negative events", started)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            *RECORD_TABLES,
            "organizations_membership",
            "organizations_person",
            "organizations_organization",
            "assessment_submission",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    step("vacuum analyze", started)
    return {"period": period, "counts": counts, "seconds": seconds}


# -- the baseline: the same aggregates in plain SQL ----------------------------------------------

ANCESTORS = (
    "JOIN organizations_organization o ON o.id = {table}.org "
    "CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from o.path), '/')) AS up(id)"
)

BASELINE = {
    # Meetings per organization and kind, and the months with at least one.
    "meetings": """
        SELECT organization_id, kind, COUNT(*),
               COUNT(DISTINCT date_trunc('month', date))
        FROM records_meeting WHERE date BETWEEN %(start)s AND %(end)s
        GROUP BY organization_id, kind
    """,
    # Attendances expected, present and excused per person and per organization subtree:
    # expected are the members on the day (the roll of a party group's meeting).
    "attendance": """
        WITH rows AS (
            SELECT m.organization_id AS org, ms.person_id AS person, a.presence
            FROM records_meeting m
            JOIN organizations_membership ms ON ms.organization_id = m.organization_id
                AND (ms.start IS NULL OR ms.start <= m.date)
                AND (ms."end" IS NULL OR ms."end" >= m.date)
            JOIN organizations_person p ON p.id = ms.person_id AND p.kind <> 'staff'
            LEFT JOIN records_attendance a ON a.meeting_id = m.id AND a.person_id = ms.person_id
            WHERE m.date BETWEEN %(start)s AND %(end)s AND NOT m.kind = ANY(%(grouped)s::text[])
            UNION ALL
            SELECT m.organization_id, a.person_id, a.presence
            FROM records_meeting m JOIN records_attendance a ON a.meeting_id = m.id
            WHERE m.date BETWEEN %(start)s AND %(end)s AND m.kind = ANY(%(grouped)s::text[])
        ),
        by_org AS (
            SELECT org, COUNT(*) AS expected,
                   COUNT(*) FILTER (WHERE presence = 'present') AS present,
                   COUNT(*) FILTER (WHERE presence = 'excused') AS excused
            FROM rows GROUP BY org
        )
        SELECT 'organization', up.id::bigint, SUM(expected), SUM(present), SUM(excused)
        FROM by_org """
    + ANCESTORS.format(table="by_org")
    + """
        GROUP BY up.id
        UNION ALL
        SELECT 'person', person, COUNT(*), COUNT(*) FILTER (WHERE presence = 'present'),
               COUNT(*) FILTER (WHERE presence = 'excused')
        FROM rows GROUP BY person
    """,
    # Dues: member-months due (members at each ended month's end) and paid in full by then, per
    # organization subtree; months paid on time per person.
    "dues": """
        WITH months AS (
            SELECT m::date AS first, (m + interval '1 month - 1 day')::date AS last
            FROM generate_series(%(start)s::date, %(last_ended)s::date, interval '1 month') m
        ),
        due AS (
            SELECT ms.organization_id AS org, COUNT(*) AS n
            FROM organizations_membership ms
            JOIN organizations_person p ON p.id = ms.person_id AND p.kind <> 'staff'
            JOIN months ON (ms.start IS NULL OR ms.start <= months.last)
                AND (ms."end" IS NULL OR ms."end" >= months.last)
            GROUP BY ms.organization_id
        ),
        paid AS (
            SELECT d.organization_id AS org, d.person_id, d.month, months.last
            FROM records_duespayment d JOIN months ON months.first = d.month
            WHERE d.paid IS NOT NULL AND d.paid >= d.due AND d.paid_on <= months.last
        ),
        own AS (
            SELECT org, SUM(paid) AS paid, SUM(due) AS due FROM (
                SELECT org, 0 AS paid, n AS due FROM due
                UNION ALL SELECT org, COUNT(*), 0 FROM paid GROUP BY org
            ) both_ GROUP BY org
        )
        SELECT 'organization', up.id::bigint, SUM(paid), SUM(due) FROM own """
    + ANCESTORS.format(table="own")
    + """
        GROUP BY up.id
        UNION ALL
        SELECT 'person', d.person_id, COUNT(*), 0
        FROM records_duespayment d
        JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 month') m(first)
            ON d.month = m.first::date
        WHERE d.paid IS NOT NULL AND d.paid >= d.due
          AND d.paid_on <= (m.first + interval '1 month - 1 day')::date
        GROUP BY d.person_id
    """,
    # Members on the last day counted, those of them in a talk, their study hours, per
    # organization subtree; study hours per person.
    "members": """
        WITH members AS (
            SELECT ms.organization_id AS org, ms.person_id AS person
            FROM organizations_membership ms
            JOIN organizations_person p ON p.id = ms.person_id AND p.kind <> 'staff'
            WHERE (ms.start IS NULL OR ms.start <= %(until)s)
              AND (ms."end" IS NULL OR ms."end" >= %(until)s)
        ),
        talked AS (
            SELECT talker_id AS person FROM records_talk
            WHERE date BETWEEN %(start)s AND %(until)s
            UNION SELECT partner_id FROM records_talk WHERE date BETWEEN %(start)s AND %(until)s
        ),
        own AS (
            SELECT org, SUM(members) AS members, SUM(talked) AS talked, SUM(hours) AS hours FROM (
                SELECT org, COUNT(DISTINCT members.person) AS members,
                       COUNT(DISTINCT talked.person) AS talked, 0 AS hours
                FROM members LEFT JOIN talked ON talked.person = members.person GROUP BY org
                UNION ALL
                SELECT s.organization_id, 0, 0, SUM(s.hours)
                FROM records_studyrecord s
                JOIN organizations_person p ON p.id = s.person_id AND p.kind <> 'staff'
                WHERE s.date BETWEEN %(start)s AND %(end)s GROUP BY s.organization_id
            ) parts GROUP BY org
        )
        SELECT 'organization', up.id::bigint, SUM(members), SUM(talked), SUM(hours) FROM own """
    + ANCESTORS.format(table="own")
    + """
        GROUP BY up.id
        UNION ALL
        SELECT 'person', person_id, 0, 0, SUM(hours) FROM records_studyrecord
        WHERE date BETWEEN %(start)s AND %(end)s GROUP BY person_id
    """,
    # Approved points per person; negative events per organization subtree.
    "points_events": """
        SELECT 'person', person_id, SUM(points) FROM records_pointsentry
        WHERE state = 'approved' AND month BETWEEN %(start)s AND %(end)s GROUP BY person_id
        UNION ALL
        SELECT 'organization', up.id::bigint, SUM(n) FROM (
            SELECT organization_id AS org, COUNT(*) AS n FROM records_negativeevent
            WHERE date BETWEEN %(start)s AND %(end)s GROUP BY organization_id
        ) own """
    + ANCESTORS.format(table="own")
    + """
        GROUP BY up.id
    """,
}


def baseline_params(period) -> dict[str, Any]:
    from records.config import config_for

    until = min(period.end, TODAY)
    ended = [
        date(period.start.year, m, 1)
        for m in range(1, 13)
        if (date(period.start.year, m, 1) + timedelta(days=32)).replace(day=1) <= TODAY
    ]
    return {
        "start": period.start,
        "end": period.end,
        "until": until,
        "last_ended": ended[-1],
        "grouped": [k.code for k in config_for(period.framework).meeting_kinds if k.party_group],
    }


def run_baseline(period) -> tuple[float, dict[str, float], dict[str, list[tuple]]]:
    """Every baseline statement run and fetched: (seconds in all, seconds each, rows each)."""
    from django.db import connection

    params = baseline_params(period)
    each: dict[str, float] = {}
    rows: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for name, sql in BASELINE.items():
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows[name] = cursor.fetchall()
            each[name] = time.perf_counter() - started
    return sum(each.values()), each, rows


NA = "n/a"


def _rate(part: float, whole: float) -> Any:
    return NA if whole <= 0 else min(100.0, part / whole * 100)


def baseline_values(period, rows: dict[str, list[tuple]]) -> dict[tuple[int, str], Any]:
    """The baseline's numbers as values of the period's submissions and indicators."""
    from assessment.models import Submission
    from assessment.selectors.frameworks import engine_framework

    meetings = {(org, kind): (n, m) for org, kind, n, m in rows["meetings"]}
    attendance = {
        (unit, pk): (float(e), float(p), float(x)) for unit, pk, e, p, x in rows["attendance"]
    }
    dues = {(unit, pk): (float(p), float(d)) for unit, pk, p, d in rows["dues"]}
    members = {(unit, pk): (float(m), float(t), float(h)) for unit, pk, m, t, h in rows["members"]}
    other = {(unit, pk): float(n) for unit, pk, n in rows["points_events"]}

    def value(source, unit: str, pk: int) -> Any:
        kind = source.kind
        if kind == "meetings":
            return meetings.get((pk, source.param("meeting_kind")), (0, 0))[0]
        if kind == "months_with_meetings":
            return meetings.get((pk, source.param("meeting_kind")), (0, 0))[1]
        if kind.startswith("attendance_"):
            expected, present, excused = attendance.get((unit, pk), (0.0, 0.0, 0.0))
            if kind == "attendance_rate":
                return _rate(present, expected - excused)
            return expected - excused if kind == "attendance_expected" else present
        if kind == "dues_on_time_rate":
            return _rate(*dues.get((unit, pk), (0.0, 0.0)))
        if kind == "dues_on_time_months":
            return dues.get((unit, pk), (0.0, 0.0))[0]
        count, talked, hours = members.get((unit, pk), (0.0, 0.0, 0.0))
        if kind == "talk_coverage":
            return _rate(talked, count)
        if kind == "study_hours_per_member":
            return NA if count <= 0 else hours / count
        if kind == "study_hours":
            return hours
        return other.get((unit, pk), 0.0)  # points, negative events

    spec = engine_framework(period.framework)
    out: dict[tuple[int, str], Any] = {}
    for pk, kind, unit, org, person in Submission.objects.filter(period=period).values_list(
        "pk", "subject_kind", "subject_unit", "organization_id", "person_id"
    ):
        subject = person if unit == "person" else org
        for indicator in spec.indicators_for(kind):
            if indicator.source is not None:
                out[(pk, indicator.code)] = finish(
                    indicator.value_type, value(indicator.source, unit, subject)
                )
    return out


def finish(value_type: str, value: Any) -> Any:
    if value == NA:
        return NA
    if value_type == "boolean":
        return bool(value)
    if value_type == "count":
        return round(float(value))
    return round(float(value), 2)


def compare(counted: dict, baseline: dict) -> dict[str, Any]:
    """Every value of both, side by side: how many agree, and the first that do not."""
    keys = set(counted) | set(baseline)
    differ = []
    largest = 0.0
    for key in sorted(keys):
        a, b = counted.get(key, "missing"), baseline.get(key, "missing")
        if a == b:
            continue
        if isinstance(a, int | float) and isinstance(b, int | float):
            largest = max(largest, abs(a - b))
            if abs(a - b) <= 0.01 + 1e-9:  # both rounded to 2 decimals from float noise apart
                continue
        differ.append((key, a, b))
    return {"values": len(keys), "differ": len(differ), "examples": differ[:10], "largest": largest}


# -- count_all ----------------------------------------------------------------------------------


def run_count_all(period) -> tuple[float, dict]:
    from assessment import sources

    started = time.perf_counter()
    values = sources.count_all(period, today=TODAY)
    return time.perf_counter() - started, values


def count_queries(period) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessment import sources

    with CaptureQueriesContext(connection) as captured:
        sources.count_all(period, today=TODAY)
    return len(captured.captured_queries)


def per_source(period) -> dict[str, float]:
    """One run of count_all with each source kind's computation timed."""
    from assessment import sources

    spent: dict[str, float] = defaultdict(float)
    saved = dict(sources._REGISTRY)

    def timed(kind, compute):
        def run(ctx, source):
            started = time.perf_counter()
            try:
                return compute(ctx, source)
            finally:
                spent[kind] += time.perf_counter() - started

        return run

    try:
        for kind, entry in saved.items():
            sources._REGISTRY[kind] = sources._Entry(timed(kind, entry.compute), entry.behind)
        started = time.perf_counter()
        sources.count_all(period, today=TODAY)
        spent["(all)"] = time.perf_counter() - started
    finally:
        sources._REGISTRY.clear()
        sources._REGISTRY.update(saved)
    return dict(spent)


# -- main ---------------------------------------------------------------------------------------


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")),
                model,
            )
        with open("/proc/meminfo", encoding="ascii") as handle:
            ram = int(handle.readline().split()[1]) / 1024 / 1024
    except OSError:
        ram = 0.0
    return (
        f"{os.cpu_count()} CPUs ({model}), {ram:.0f} GiB RAM, Python "
        f"{platform.python_version()}, PostgreSQL {pg} (jit {jit}, work_mem {work_mem})"
    )


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def existing_period():
    from assessment.models import Period
    from records.models import Meeting

    period = (
        Period.objects.filter(framework__code=FRAMEWORK_CODE).select_related("framework").first()
    )
    return period if period is not None and Meeting.objects.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=env_int("RECORDS_BENCH_ORGS", 10_000))
    parser.add_argument(
        "--people-per-branch", type=int, default=env_int("RECORDS_BENCH_PEOPLE", 10)
    )
    parser.add_argument("--runs", type=int, default=env_int("RECORDS_BENCH_RUNS", 3))
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data an earlier run left, if any"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench_records needs PostgreSQL: set DATABASE_URL to a scratch database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pb_h5_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_h5_bench "
            "python bench/bench_records.py\n"
            "(it migrates that database, replaces its synthetic tree and empties its records "
            "tables). Skipped.",
            file=sys.stderr,
        )
        return 0  # `make bench` measures what it can and never fails a build

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"machine: {machine()}")
    print(f"start: {uptime()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)

    period = existing_period() if args.reuse else None
    if period is None:
        print(
            f"\nseeding {args.orgs:,} organizations, {args.people_per_branch} people per branch",
            flush=True,
        )
        started = time.perf_counter()
        data = seed(args.orgs, args.people_per_branch)
        period = data["period"]
        print(
            f"  seeded in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in data["counts"].items()),
            flush=True,
        )
    else:
        print("\nreusing the data of an earlier run", flush=True)
    from assessment.models import Period, Submission

    period = Period.objects.select_related("framework").get(pk=period.pk)
    submissions = Submission.objects.filter(period=period).count()
    sourced = sum(1 for i in period.framework.indicators.all() if i.source)

    print(f"\nmeasuring ({args.runs} runs each, alternating):", flush=True)
    counted_times, sql_times, sql_each = [], [], defaultdict(list)
    counted = rows = None
    for run in range(args.runs):
        seconds, counted = run_count_all(period)
        counted_times.append(seconds)
        total, each, rows = run_baseline(period)
        sql_times.append(total)
        for name, spent in each.items():
            sql_each[name].append(spent)
        print(f"  run {run + 1}: count_all {seconds:.2f} s, plain SQL {total:.2f} s", flush=True)
    queries = count_queries(period)
    breakdown = per_source(period)
    agreement = compare(counted, baseline_values(period, rows))

    counted_s, sql_s = statistics.median(counted_times), statistics.median(sql_times)
    print(
        f"\n{submissions:,} submissions × {sourced} sourced indicators → "
        f"{len(counted):,} counted values"
    )
    print(
        f"count_all(period)        median {counted_s:7.2f} s   (runs: "
        + ", ".join(f"{t:.2f}" for t in counted_times)
        + f"), {queries} queries"
    )
    print(
        f"same aggregates, SQL     median {sql_s:7.2f} s   (runs: "
        + ", ".join(f"{t:.2f}" for t in sql_times)
        + f"), {len(BASELINE)} statements"
    )
    for name, spent in sql_each.items():
        print(f"    {name:<16} {statistics.median(spent):6.2f} s")
    print("count_all by source kind (one run):")
    for kind, spent in sorted(breakdown.items(), key=lambda kv: -kv[1]):
        print(f"    {kind:<24} {spent:6.2f} s")
    ratio = counted_s / sql_s
    print(
        f"ratio count_all ÷ SQL: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'NOT met'})"
    )
    print(
        f"agreement: {agreement['values'] - agreement['differ']:,} of {agreement['values']:,} "
        f"values equal (largest difference within rounding {agreement['largest']:.4f})"
    )
    for key, a, b in agreement["examples"]:
        print(f"    differs {key}: count_all {a!r}, SQL {b!r}")
    print(f"end: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
