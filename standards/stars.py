"""The rules of star-rated branches (星级党支部) and of branch standardization (党支部标准化规范化
建设), pure: no Django, no database.

Standardization is a checklist: a branch meets an item when every indicator the item lists
reaches the item's `min_fraction` of its points (a yes/no indicator scores 1 or 0), and meets the
standard when every item does. An indicator missing from the score, or not scored (missing,
invalid, not applicable), does not meet it.

Stars are proposed in steps, each written as a sentence in both languages:

1. the score's star band (the framework's `star_bands`, before any veto's cap);
2. a veto this year caps the stars at the veto's `cap_stars` (what the engine's capped stars say);
3. a branch failing an entry condition (`standardization`, `no_veto`, `complete`) gets at most
   `unmet_cap` stars;
4. at most `max_change` stars up or down from last year's confirmed stars, except that after a
   veto the fall is not limited; the caps of steps 2 and 3 stay caps: the fall limit never lifts
   a branch above what its veto or its entry conditions allow;
5. quotas per organization of kind `per` (`quota_demotions`, over every branch of the period):
   the lowest-scored beyond the quota at a level drop one level.

`allowed_range` is what a committee may confirm: the same caps and the same change limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assessment.scoring.spec.shape import StandardizationShape, StarQuotaShape, StarsShape
from assessment.scoring.text import Text

__all__ = [
    "SCORED",
    "Checklist",
    "IndicatorCheck",
    "ItemCheck",
    "Proposal",
    "Seat",
    "StarInputs",
    "allowed_range",
    "checklist",
    "propose",
    "quota_demotions",
]

SCORED = "scored"
CONDITIONS = ("standardization", "no_veto", "complete")


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}".rstrip("0").rstrip(".")


def _percent(fraction: float) -> str:
    return f"{_number(round(fraction * 100, 1))}%"


@dataclass(frozen=True, slots=True)
class IndicatorCheck:
    """One indicator of a checklist item: its fraction of its points against the threshold."""

    code: str
    name: Text
    fraction: float | None
    status: str | None
    threshold: float

    @property
    def met(self) -> bool:
        return (
            self.status == SCORED
            and self.fraction is not None
            and self.fraction + 1e-9 >= self.threshold
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "fraction": self.fraction,
            "status": self.status,
            "threshold": self.threshold,
            "met": self.met,
        }


@dataclass(frozen=True, slots=True)
class ItemCheck:
    """One checklist item (组织设置规范, 组织生活正常, …): met when each of its indicators is."""

    code: str
    name: Text
    min_fraction: float
    indicators: tuple[IndicatorCheck, ...]

    @property
    def met(self) -> bool:
        return all(check.met for check in self.indicators)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "min_fraction": self.min_fraction,
            "met": self.met,
            "indicators": [check.to_dict() for check in self.indicators],
        }


@dataclass(frozen=True, slots=True)
class Checklist:
    """A branch's standardization: every item, met when all are."""

    items: tuple[ItemCheck, ...]

    @property
    def met(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def unmet(self) -> tuple[ItemCheck, ...]:
        return tuple(item for item in self.items if not item.met)

    def to_dict(self) -> dict[str, Any]:
        return {"met": self.met, "items": [item.to_dict() for item in self.items]}


def checklist(
    standard: StandardizationShape,
    results: Mapping[str, tuple[float | None, str | None]],
    names: Mapping[str, Text] | None = None,
) -> Checklist:
    """The standardization checklist of one branch from its indicator results
    (code → (fraction, status)); `names` gives the indicators' names (else their codes)."""
    names = names or {}
    items = []
    for item in standard.items:
        checks = []
        for code in item.indicators:
            fraction, status = results.get(code, (None, None))
            name = names.get(code) or Text(code, code)
            checks.append(IndicatorCheck(code, name, fraction, status, item.min_fraction))
        items.append(ItemCheck(item.code, item.name, item.min_fraction, tuple(checks)))
    return Checklist(tuple(items))


@dataclass(frozen=True, slots=True)
class StarInputs:
    """What a branch's proposal starts from.

    `band_stars` is the star band of the score before any veto's cap; `veto_cap` the stars a
    veto allows (None without a veto); `standardization` None when the framework has no
    standardization for the branch's kind (the condition is then not applicable); `complete`
    no missing value and the submission approved; `previous` last year's confirmed stars.
    """

    score: float | None
    band_stars: int | None
    vetoes: tuple[str, ...] = ()
    veto_cap: int | None = None
    standardization: bool | None = True
    complete: bool = True
    missing: int = 0
    previous: int | None = None

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


@dataclass(slots=True)
class Proposal:
    """The stars proposed, the conditions met and each step that led there."""

    stars: int | None
    band_stars: int | None
    vetoed: bool
    conditions: dict[str, bool | None]
    cap: int | None  # the most stars the veto and the entry conditions allow
    steps: list[Text] = field(default_factory=list)

    def steps_dicts(self) -> list[dict[str, str]]:
        return [step.to_dict() for step in self.steps]


def _conditions(rules: StarsShape, inputs: StarInputs) -> dict[str, bool | None]:
    met: dict[str, bool | None] = {
        "standardization": inputs.standardization,
        "no_veto": not inputs.vetoed,
        "complete": inputs.complete,
    }
    return {name: met[name] for name in rules.conditions}


def _cap(rules: StarsShape, inputs: StarInputs, conditions: Mapping[str, bool | None]) -> int:
    cap = 5
    if inputs.vetoed and inputs.veto_cap is not None:
        cap = min(cap, inputs.veto_cap)
    if any(value is False for value in conditions.values()):
        cap = min(cap, rules.unmet_cap)
    return cap


def _unmet_step(name: str, inputs: StarInputs, cap: int) -> Text:
    if name == "standardization":
        return Text(
            f"未达到标准化规范化要求，最高 {cap} 星",
            f"Standardization not met: at most {cap} stars",
        )
    if name == "no_veto":
        return Text(
            f"有一票否决事项，未满足入选条件，最高 {cap} 星",
            f"A veto this year fails the entry conditions: at most {cap} stars",
        )
    missing = inputs.missing
    if missing:
        return Text(
            f"数据不完整（缺 {missing} 项），最高 {cap} 星",
            f"Incomplete data ({missing} values missing): at most {cap} stars",
        )
    return Text(
        f"数据未经审核通过，最高 {cap} 星",
        f"The submission is not approved: at most {cap} stars",
    )


def propose(rules: StarsShape, inputs: StarInputs) -> Proposal:
    """One branch's proposal before the quotas (steps 1–4 of the module's docstring)."""
    conditions = _conditions(rules, inputs)
    proposal = Proposal(None, inputs.band_stars, inputs.vetoed, conditions, None)
    steps = proposal.steps
    if inputs.score is None or inputs.band_stars is None:
        steps.append(Text("无得分，不评定星级", "No score: no stars proposed"))
        return proposal
    stars = inputs.band_stars
    score = _number(round(inputs.score, 1))
    steps.append(Text(f"得分 {score}，对应 {stars} 星", f"Score {score}: {stars} stars"))

    if inputs.vetoed and inputs.veto_cap is not None:
        codes = "、".join(inputs.vetoes)
        if stars > inputs.veto_cap:
            stars = inputs.veto_cap
            steps.append(
                Text(
                    f"一票否决（{codes}）：最高 {stars} 星",
                    f"Vetoed ({', '.join(inputs.vetoes)}): at most {stars} stars",
                )
            )
        else:
            steps.append(
                Text(
                    f"一票否决（{codes}）：最高 {inputs.veto_cap} 星，不变",
                    f"Vetoed ({', '.join(inputs.vetoes)}): at most {inputs.veto_cap} stars, "
                    "unchanged",
                )
            )

    failed = [name for name, met in conditions.items() if met is False]
    cap = _cap(rules, inputs, conditions)
    if failed:
        for name in failed:
            steps.append(_unmet_step(name, inputs, rules.unmet_cap))
        stars = min(stars, rules.unmet_cap)
    elif conditions:
        steps.append(Text("入选条件均满足", "Every entry condition met"))

    previous = inputs.previous
    if previous is None:
        steps.append(
            Text("上年无确认星级，不受升降限制", "No confirmed stars last year: no change limit")
        )
    else:
        step = rules.max_change
        high, low = previous + step, previous - step
        if stars > high:
            stars = high
            steps.append(
                Text(
                    f"上年 {previous} 星，本年最多升 {step} 星：{stars} 星",
                    f"{previous} stars last year, up by at most {step}: {stars} stars",
                )
            )
        elif stars < low and inputs.vetoed:
            steps.append(
                Text(
                    f"一票否决：不受升降{_chinese_count(step)}星限制",
                    f"Vetoed: the fall is not limited to {step} star{'s' if step > 1 else ''}",
                )
            )
        elif stars < low:
            floor = min(low, cap)
            if stars < floor:
                stars = floor
            if floor == low:
                steps.append(
                    Text(
                        f"上年 {previous} 星，本年最多降 {step} 星：{stars} 星",
                        f"{previous} stars last year, down by at most {step}: {stars} stars",
                    )
                )
            else:
                steps.append(
                    Text(
                        f"上年 {previous} 星，但入选条件限定最高 {cap} 星：{stars} 星",
                        f"{previous} stars last year, but the entry conditions allow at most "
                        f"{cap}: {stars} stars",
                    )
                )
        else:
            steps.append(
                Text(
                    f"上年 {previous} 星，变化在 {step} 星以内",
                    f"{previous} stars last year: within {step} star{'s' if step > 1 else ''}",
                )
            )
    proposal.stars = stars
    proposal.cap = cap
    return proposal


def _chinese_count(n: int) -> str:
    return "一二三四五"[n - 1] if 1 <= n <= 5 else str(n)


def allowed_range(rules: StarsShape, inputs: StarInputs) -> tuple[int, int]:
    """The stars a committee may confirm, lowest and highest: at most the caps of the veto and
    the entry conditions, and within `max_change` of last year's (the fall unlimited after a
    veto, and never forced above the caps)."""
    conditions = _conditions(rules, inputs)
    cap = _cap(rules, inputs, conditions)
    low, high = 0, cap
    if inputs.previous is not None:
        high = min(high, inputs.previous + rules.max_change)
        if not inputs.vetoed:
            low = min(max(0, inputs.previous - rules.max_change), high)
    return low, high


@dataclass(slots=True)
class Seat:
    """A branch as the quotas see it: its stars, score, the organization above it of each kind a
    quota counts per (id and name), and whether its stars are confirmed (then it keeps them and
    holds its place in the quota)."""

    key: int
    stars: int | None
    score: float | None
    groups: Mapping[str, tuple[int, Text]]
    fixed: bool = False
    order: str = ""  # a tie-break among equal scores (the tree path)


def quota_demotions(
    seats: Sequence[Seat],
    quotas: Iterable[StarQuotaShape],
    size: Callable[[float, int], int],
) -> dict[int, list[Text]]:
    """Apply the quotas to `seats` in place, from the highest level down (a branch dropped from
    five stars then counts among the fours): per organization of the quota's kind, at most
    `size(share, branches rated in it)` at the level; confirmed ones keep their place, the others
    by score, the lowest beyond the quota dropping one level. The steps added, by seat key."""
    added: dict[int, list[Text]] = {}
    for quota in sorted(quotas, key=lambda q: -q.stars):
        members: dict[int, list[Seat]] = {}
        names: dict[int, Text] = {}
        for seat in seats:
            group = seat.groups.get(quota.per)
            if group is None or seat.stars is None:
                continue
            members.setdefault(group[0], []).append(seat)
            names[group[0]] = group[1]
        for group_id, branches in members.items():
            seats_at = size(quota.share, len(branches))
            at_level = [s for s in branches if s.stars == quota.stars]
            if len(at_level) <= seats_at:
                continue
            at_level.sort(key=lambda s: (not s.fixed, -(s.score or 0.0), s.order))
            name = names[group_id]
            for seat in at_level[seats_at:]:
                if seat.fixed:
                    continue
                seat.stars = quota.stars - 1
                added.setdefault(seat.key, []).append(
                    Text(
                        f"{name.zh}{quota.stars} 星名额 {seats_at} 个"
                        f"（{_percent(quota.share)}），得分排名在外：{seat.stars} 星",
                        f"Quota of {name.en}: {seats_at} at {quota.stars} stars "
                        f"({_percent(quota.share)}), ranked beyond it: {seat.stars} stars",
                    )
                )
    return added
