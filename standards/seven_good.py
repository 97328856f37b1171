"""Whether a subject meets a "seven good" standard, and why not: pure, no Django, no database.

``evaluate(framework, standard, dimensions=…, indicators=…, vetoes=…)`` reads one subject's stored
score (``SubjectScore.dimensions`` / ``.indicators`` packed as ``DIMENSION_FIELDS`` /
``INDICATOR_FIELDS``, and ``.vetoes``, the codes of the vetoes that fired) against one standard
of the framework's standards section (``SevenGoodShape``). A criterion is met when its dimension's
share reaches the threshold (the criterion's own ``min_share`` or the standard's), every required
indicator reaches it too, and no veto among the criterion's indicators fired; the standard is met
when every criterion is and no veto fired at all. Each criterion names the indicators that held
it back (those counted in its dimension's subtree, by its own dimension or ``also``, that lost
points, most points lost first) and says all of it in both languages, like every score.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessment.scoring.spec import Framework, Indicator
from assessment.scoring.spec.shape import SevenGoodShape, StandardsShape
from assessment.scoring.text import Text

__all__ = [
    "CriterionResult",
    "HeldBack",
    "RequiredFailure",
    "StandardResult",
    "evaluate",
    "meets",
    "standards_for",
]

# How many indicators a criterion's sentence names as having held it back (the result keeps more).
NAMED_IN_TEXT = 3
HELD_BACK_KEPT = 5
_EPSILON = 1e-9

# Positions in the packed rows of assessment.models.SubjectScore.
_POINTS, _MAX, _FRACTION, _STATUS, _RECTIFY, _TRIGGERED = range(6)
_D_POINTS, _D_MAX, _D_ALSO_POINTS, _D_ALSO_MAX = range(4)
_NOT_APPLICABLE = "n/a"


def standards_for(standards: StandardsShape, subject_kind: str) -> tuple[SevenGoodShape, ...]:
    """The seven-good standards that apply to a subject kind (usually one, or none)."""
    return tuple(s for s in standards.seven_good if subject_kind in s.applies_to)


def _pct(fraction: float) -> str:
    value = round(fraction * 100, 1)
    return f"{value:g}%"


def _pp(points: float) -> str:
    return f"{round(points, 1):g}"


def _pts(value: float) -> str:
    return f"{round(value, 2):g}"


@dataclass(frozen=True, slots=True)
class HeldBack:
    """An indicator that lost points within a criterion's dimension."""

    code: str
    name: Text
    points: float
    max: float
    fraction: float | None

    @property
    def lost(self) -> float:
        return round(self.max - self.points, 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "points": self.points,
            "max": self.max,
            "fraction": self.fraction,
            "lost": self.lost,
        }


@dataclass(frozen=True, slots=True)
class RequiredFailure:
    """A required indicator that is missing, or whose fraction is below the threshold."""

    code: str
    name: Text
    fraction: float | None  # None: missing (no valid value)

    @property
    def missing(self) -> bool:
        return self.fraction is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "fraction": self.fraction,
            "missing": self.missing,
        }


@dataclass(frozen=True, slots=True)
class CriterionResult:
    dimension: str
    name: Text
    share: float | None  # None: nothing scored in the dimension
    threshold: float
    met: bool
    short_by: float  # percentage points below the threshold, 0 when the share reaches it
    required_failed: tuple[RequiredFailure, ...]
    veto: str | None  # the code of a veto among the criterion's indicators that fired
    veto_name: Text | None
    held_back: tuple[HeldBack, ...]
    explanation: Text

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "name": self.name.to_dict(),
            "share": self.share,
            "threshold": self.threshold,
            "met": self.met,
            "short_by": self.short_by,
            "required_failed": [r.to_dict() for r in self.required_failed],
            "veto": self.veto,
            "veto_name": self.veto_name.to_dict() if self.veto_name else None,
            "held_back": [h.to_dict() for h in self.held_back],
            "explanation": self.explanation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class StandardResult:
    standard: str
    title: Text
    met: bool
    vetoes: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    explanation: Text

    @property
    def failing(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if not c.met)

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "title": self.title.to_dict(),
            "met": self.met,
            "vetoes": list(self.vetoes),
            "criteria": [c.to_dict() for c in self.criteria],
            "explanation": self.explanation.to_dict(),
        }


def _subtree(framework: Framework, root: str) -> frozenset[str]:
    """The dimension and every dimension below it."""

    def build() -> frozenset[str]:
        codes = set()
        for place in framework.dimension_places():
            code: str | None = place.dimension.code
            while code is not None:
                if code == root:
                    codes.add(place.dimension.code)
                    break
                code = framework.place(code).parent
        return frozenset(codes)

    return framework.memo(("seven_good_subtree", root), build)  # type: ignore[return-value]


def _counted_in(framework: Framework, dimension: str) -> tuple[Indicator, ...]:
    """The indicators counted in a dimension's subtree: by their own dimension or by `also`."""

    def build() -> tuple[Indicator, ...]:
        within = _subtree(framework, dimension)
        return tuple(
            i
            for i in framework.indicators
            if i.dimension in within or any(code in within for code in i.also)
        )

    return framework.memo(("seven_good_counted", dimension), build)  # type: ignore[return-value]


def _counted_codes(framework: Framework, dimension: str) -> frozenset[str]:
    def build() -> frozenset[str]:
        return frozenset(i.code for i in _counted_in(framework, dimension))

    return framework.memo(("seven_good_codes", dimension), build)  # type: ignore[return-value]


def _share(row: Sequence[Any] | None) -> float | None:
    if not row:
        return None
    points = float(row[_D_POINTS]) + float(row[_D_ALSO_POINTS])
    most = float(row[_D_MAX]) + float(row[_D_ALSO_MAX])
    return points / most if most > 0 else None


def _required_failure(
    framework: Framework, code: str, row: Sequence[Any] | None, threshold: float
) -> RequiredFailure | None:
    name = _indicator_name(framework, code)
    if row is None:
        return RequiredFailure(code, name, None)
    if row[_STATUS] == _NOT_APPLICABLE:
        return None  # not asked of this subject: nothing to fail
    fraction = row[_FRACTION]
    if row[_STATUS] != "scored" or fraction is None:
        return RequiredFailure(code, name, None)
    if float(fraction) + _EPSILON < threshold:
        return RequiredFailure(code, name, float(fraction))
    return None


def _indicator_name(framework: Framework, code: str) -> Text:
    try:
        return framework.indicator(code).name
    except KeyError:
        return Text(code, code)


def _held_back(
    counted: Iterable[Indicator], indicators: Mapping[str, Sequence[Any]]
) -> tuple[HeldBack, ...]:
    lost = []
    for ind in counted:
        row = indicators.get(ind.code)
        if row is None or not ind.scored:
            continue
        points, most = float(row[_POINTS]), float(row[_MAX])
        if most - points > _EPSILON:
            lost.append((points - most, ind.code, ind, points, most, row[_FRACTION]))
    return tuple(
        HeldBack(ind.code, ind.name, points, most, None if fraction is None else float(fraction))
        for _, _, ind, points, most, fraction in heapq.nsmallest(HELD_BACK_KEPT, lost)
    )


def meets(
    framework: Framework,
    standard: SevenGoodShape,
    *,
    dimensions: Mapping[str, Sequence[Any]],
    indicators: Mapping[str, Sequence[Any]],
    vetoes: Iterable[str] = (),
) -> bool:
    """Whether the subject meets the standard: `evaluate(…).met`, without the explanation (what
    a proposal run over thousands of subjects asks first)."""
    if any(True for _ in vetoes):
        return False
    for criterion in standard.criteria:
        threshold = standard.min_share if criterion.min_share is None else criterion.min_share
        share = _share(dimensions.get(criterion.dimension))
        if share is None or share + _EPSILON < threshold:
            return False
        for code in criterion.required:
            if _required_failure(framework, code, indicators.get(code), threshold):
                return False
    return True


def evaluate(
    framework: Framework,
    standard: SevenGoodShape,
    *,
    dimensions: Mapping[str, Sequence[Any]],
    indicators: Mapping[str, Sequence[Any]],
    vetoes: Iterable[str] = (),
) -> StandardResult:
    """One subject's stored score against one standard."""
    fired = tuple(vetoes)
    criteria = []
    for criterion in standard.criteria:
        threshold = standard.min_share if criterion.min_share is None else criterion.min_share
        share = _share(dimensions.get(criterion.dimension))
        counted = _counted_in(framework, criterion.dimension)
        required = tuple(
            failure
            for code in criterion.required
            if (failure := _required_failure(framework, code, indicators.get(code), threshold))
        )
        counted_codes = _counted_codes(framework, criterion.dimension)
        veto = next((code for code in fired if code in counted_codes), None)
        reaches = share is not None and share + _EPSILON >= threshold
        short_by = 0.0 if reaches else round((threshold - (share or 0.0)) * 100, 2)
        held_back = _held_back(counted, indicators)
        name = framework.dimension(criterion.dimension).name
        veto_name = _indicator_name(framework, veto) if veto else None
        met = reaches and not required and veto is None
        criteria.append(
            CriterionResult(
                dimension=criterion.dimension,
                name=name,
                share=None if share is None else round(share, 4),
                threshold=threshold,
                met=met,
                short_by=short_by,
                required_failed=required,
                veto=veto,
                veto_name=veto_name,
                held_back=held_back,
                explanation=Text(
                    _criterion_zh(
                        criterion.dimension,
                        name,
                        share,
                        threshold,
                        short_by,
                        met,
                        required,
                        veto,
                        veto_name,
                        held_back,
                    ),
                    _criterion_en(
                        criterion.dimension,
                        name,
                        share,
                        threshold,
                        short_by,
                        met,
                        required,
                        veto,
                        veto_name,
                        held_back,
                    ),
                ),
            )
        )
    met = all(c.met for c in criteria) and not fired
    return StandardResult(
        standard=standard.code,
        title=Text(standard.title.zh, standard.title.en),
        met=met,
        vetoes=fired,
        criteria=tuple(criteria),
        explanation=_overall(standard, criteria, fired, met),
    )


def _criterion_zh(
    code: str,
    name: Text,
    share: float | None,
    threshold: float,
    short_by: float,
    met: bool,
    required: tuple[RequiredFailure, ...],
    veto: str | None,
    veto_name: Text | None,
    held_back: tuple[HeldBack, ...],
) -> str:
    head = f"{code} {name.zh}："
    if share is None:
        parts = [f"没有得分数据，未达到标准 {_pct(threshold)}"]
    elif short_by > 0:
        parts = [f"得分率 {_pct(share)}，低于标准 {_pct(threshold)}（差 {_pp(short_by)} 个百分点）"]
    else:
        parts = [f"得分率 {_pct(share)}，达到标准 {_pct(threshold)}"]
    if required:
        failed = "、".join(f"{r.code} {r.name.zh}（{_required_zh(r)}）" for r in required)
        parts.append(f"必备指标未达标：{failed}")
    if veto and veto_name:
        parts.append(f"一票否决：{veto} {veto_name.zh}已触发")
    if not met and held_back:
        lost = "、".join(
            f"{h.code} {h.name.zh}（失 {_pts(h.lost)} 分，满分 {_pts(h.max)} 分）"
            for h in held_back[:NAMED_IN_TEXT]
        )
        parts.append(f"主要失分：{lost}")
    return head + "；".join(parts) + "。"


def _required_zh(failure: RequiredFailure) -> str:
    return "缺少数据" if failure.missing else f"得分率 {_pct(failure.fraction or 0)}"


def _criterion_en(
    code: str,
    name: Text,
    share: float | None,
    threshold: float,
    short_by: float,
    met: bool,
    required: tuple[RequiredFailure, ...],
    veto: str | None,
    veto_name: Text | None,
    held_back: tuple[HeldBack, ...],
) -> str:
    head = f"{code} {name.en}: "
    if share is None:
        parts = [f"nothing scored, so the standard of {_pct(threshold)} is not reached"]
    elif short_by > 0:
        parts = [
            f"{_pct(share)} of its points, below the standard of {_pct(threshold)} "
            f"({_pp(short_by)} percentage points short)"
        ]
    else:
        parts = [f"{_pct(share)} of its points, reaching the standard of {_pct(threshold)}"]
    if required:
        failed = ", ".join(
            f"{r.code} {r.name.en} ({'no value' if r.missing else _pct(r.fraction or 0)})"
            for r in required
        )
        parts.append(f"required indicators not met: {failed}")
    if veto and veto_name:
        parts.append(f"veto {veto} {veto_name.en} triggered")
    if not met and held_back:
        lost = ", ".join(
            f"{h.code} {h.name.en} ({_pts(h.lost)} of {_pts(h.max)} points lost)"
            for h in held_back[:NAMED_IN_TEXT]
        )
        parts.append(f"most points lost: {lost}")
    return head + "; ".join(parts) + "."


def _overall(
    standard: SevenGoodShape, criteria: list[CriterionResult], fired: tuple[str, ...], met: bool
) -> Text:
    total = len(criteria)
    if met:
        return Text(
            f"达到{standard.title.zh}标准：{total} 项标准全部达到。",
            f"Meets the standard of {standard.title.en}: all {total} criteria are met.",
        )
    failing = [c.dimension for c in criteria if not c.met]
    zh = [f"未达到{standard.title.zh}标准"]
    en = [f"Does not meet the standard of {standard.title.en}"]
    if failing:
        zh.append(f"{len(failing)} 项未达到（{'、'.join(failing)}）")
        en.append(f"{len(failing)} of {total} criteria not met ({', '.join(failing)})")
    if fired:
        zh.append(f"一票否决：{'、'.join(fired)}")
        en.append(f"veto triggered: {', '.join(fired)}")
    return Text("；".join(zh[:1]) + "：" + "；".join(zh[1:]) + "。", "; ".join(en) + ".")
