"""The framework's records section, read into plain values: meeting kinds, dues rate bands and
member points rules. The kinds and rules are data of the framework version, not code.

`config_for(framework)` reads one version; `config_on(day)` the version whose period covers the
day (the records of a year follow that year's framework).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language

from assessment.choices import FrameworkStatus
from assessment.models import Framework, Period


@dataclass(frozen=True)
class MeetingKind:
    """A kind of meeting: who holds it and how often at least (per month, quarter or year)."""

    code: str
    name: str
    name_en: str
    applies_to: tuple[str, ...]
    per_month: int = 0
    per_quarter: int = 0
    per_year: int = 0
    party_group: bool = False
    # "members": every party member of the organization that day is expected (the attendance
    # names them all); "chosen": the attendance lists who was expected (a committee, a group).
    roll: str = "members"

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def chosen_roll(self) -> bool:
        return self.roll == "chosen"


@dataclass(frozen=True)
class DuesBand:
    """Members of `group` with a monthly base up to `up_to` (None: no limit) pay `rate` of it."""

    group: str
    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class PointsRule:
    """Points per occurrence of an event (`per`), capped per month when `cap` is set."""

    code: str
    name: str
    name_en: str
    per: str
    points: Decimal
    cap: Decimal | None = None

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


# What a points rule may count, once per occurrence in the month.
POINTS_EVENTS = (
    "meeting_present",
    "meeting_excused",
    "meeting_absent",
    "study_hour",
    "talk",
    "dues_on_time",
    "dues_late",
    "award",
)


@dataclass(frozen=True)
class RecordsConfig:
    meeting_kinds: tuple[MeetingKind, ...] = ()
    dues_bands: tuple[DuesBand, ...] = ()
    dues_minimum: Decimal = Decimal("0.20")
    points: tuple[PointsRule, ...] = ()
    kinds_by_code: dict[str, MeetingKind] = field(default_factory=dict, compare=False)

    def kind(self, code: str) -> MeetingKind | None:
        return self.kinds_by_code.get(code)

    def kinds_for(self, organization_kind: str) -> list[MeetingKind]:
        return [k for k in self.meeting_kinds if organization_kind in k.applies_to]

    def rate_for(self, base: Decimal, group: str = "regular") -> Decimal:
        """The dues rate of a monthly base: the first band of the group that holds it."""
        for band in self.dues_bands:
            if band.group == group and (band.up_to is None or base <= band.up_to):
                return band.rate
        raise LookupError(group)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _names(data: dict) -> tuple[str, str]:
    name = data.get("name") or {}
    return name.get("zh", ""), name.get("en", "") or name.get("zh", "")


def parse(section: dict | None) -> RecordsConfig:
    """The config of a stored records section (validated when the framework was loaded)."""
    section = section or {}
    kinds = tuple(
        MeetingKind(
            code=item["code"],
            name=_names(item)[0],
            name_en=_names(item)[1],
            applies_to=tuple(item.get("applies_to", ())),
            per_month=item.get("per_month", 0) or 0,
            per_quarter=item.get("per_quarter", 0) or 0,
            per_year=item.get("per_year", 0) or 0,
            party_group=bool(item.get("party_group", False)),
            roll=item.get("roll") or ("chosen" if item.get("party_group") else "members"),
        )
        for item in section.get("meeting_kinds", ())
    )
    bands = tuple(
        DuesBand(
            group=item.get("group", "regular"),
            up_to=_decimal(item.get("up_to")),
            rate=Decimal(str(item["rate"])),
        )
        for item in section.get("dues_bands", ())
    )
    rules = tuple(
        PointsRule(
            code=item["code"],
            name=_names(item)[0],
            name_en=_names(item)[1],
            per=item["per"],
            points=Decimal(str(item["points"])),
            cap=_decimal(item.get("cap")),
        )
        for item in section.get("points", ())
    )
    return RecordsConfig(
        meeting_kinds=kinds,
        dues_bands=bands,
        dues_minimum=_decimal(section.get("dues_minimum", "0.20")),
        points=rules,
        kinds_by_code={k.code: k for k in kinds},
    )


def config_for(framework: Framework | None) -> RecordsConfig:
    return parse(framework.records if framework else None)


def framework_on(day) -> Framework | None:
    """The framework of the period that covers the day, else the latest published one."""
    period = (
        Period.objects.filter(start__lte=day, end__gte=day)
        .select_related("framework")
        .order_by("-framework__published_at", "start")
        .first()
    )
    if period:
        return period.framework
    return (
        Framework.objects.filter(status=FrameworkStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def config_on(day) -> RecordsConfig:
    return config_for(framework_on(day))
