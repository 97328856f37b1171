"""Render a parsed framework as a bilingual Markdown reference (docs/framework.md).

``render_markdown(framework)`` takes the ``Framework`` built by
``assessment.scoring.spec.parse_framework`` and returns the document: title and goal, grade and
star bands, the weight each subject kind can earn, then axis by axis the dimension tree and, per
dimension, a table of its indicators with their rubric in words (``explain.describe_rubric``) and,
for an indicator counted from records, what it is counted from (``spec.describe_source``).
Pure: no Django, no I/O.

Run as a module to regenerate the shipped document (this is what ``make framework-doc`` does)::

    python -m assessment.framework_doc assessment/data/framework.yaml > docs/framework.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence

from assessment.scoring.explain import describe_rubric
from assessment.scoring.spec import (
    BonusRubric,
    Dimension,
    Framework,
    FrameworkError,
    Indicator,
    Text,
    VetoRubric,
    describe_source,
    load_file,
    parse_framework,
)

__all__ = ["main", "render_markdown"]

DEFAULT_SOURCE = "assessment/data/framework.yaml"

VALUE_TYPES = {
    "number": Text("数值", "number"),
    "percentage": Text("百分比", "percentage"),
    "count": Text("计数", "count"),
    "boolean": Text("是/否", "yes/no"),
    "appraisal": Text("测评票数", "appraisal votes"),
    "text": Text("文本", "text"),
}
DIRECTIONS = {
    "higher": Text("越高越好", "higher is better"),
    "lower": Text("越低越好", "lower is better"),
}
FREQUENCIES = {
    "month": Text("每月", "monthly"),
    "quarter": Text("每季度", "quarterly"),
    "half_year": Text("每半年", "half-yearly"),
    "year": Text("每年", "yearly"),
    "term": Text("每届", "per term"),
}
UNIT_KINDS = {
    "organization": Text("组织", "organization"),
    "leading_group": Text("领导班子", "leading group"),
    "department": Text("部门", "department"),
    "person": Text("个人", "person"),
}


def render_markdown(framework: Framework, *, source: str = DEFAULT_SOURCE) -> str:
    """The whole reference document; ``source`` is the file path named in the header comment."""
    lines: list[str] = [
        f"<!-- Generated from {source} by `python -m assessment.framework_doc {source} > "
        "docs/framework.md` (make framework-doc); edit the framework file, not this one. -->",
        "",
        f"# {_both(framework.name)}",
        "",
        f"框架 Framework `{framework.code}` · 版本 version {framework.version} · "
        f"满分 total points {_num(framework.total_points)} · "
        f"指标 indicators {len(framework.indicators)} · "
        f"整改线 rectification below {_percent(framework.rectify_below)} "
        "of an indicator's points",
        "",
        "## 目标 Goal",
        "",
        f"**{_cell(framework.goal.zh)}**",
        "",
        f"**{_cell(framework.goal.en)}**",
        "",
    ]
    lines += _bands(framework)
    lines += _scales(framework)
    lines += _subject_kinds(framework)
    lines += _standards(framework)
    lines += _overview(framework)
    for axis in framework.axes:
        lines += [f"## {_both(axis.name)} (`{axis.code}`)", ""]
        lines += _tree(framework, axis.dimensions, 0)
        lines.append("")
        for dimension in axis.walk():
            lines += _dimension_section(framework, dimension)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assessment.framework_doc",
        description="Print a framework file as a Markdown reference.",
    )
    parser.add_argument("path", help="the framework file (YAML or JSON)")
    args = parser.parse_args(argv)
    try:
        framework = parse_framework(load_file(args.path))
    except OSError as exc:
        print(f"cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except FrameworkError as exc:
        print(f"{args.path} is not a valid framework:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    sys.stdout.write(render_markdown(framework, source=args.path))
    return 0


# -- sections ---------------------------------------------------------------------------------


def _bands(framework: Framework) -> list[str]:
    lines = [
        "## 等级与星级 Grades and stars",
        "",
        "| 等级 Grade | 名称 Name | 最低分 Minimum |",
        "| --- | --- | ---: |",
    ]
    for band in framework.grade_bands:
        lines.append(f"| {band.grade} | {_both(band.name)} | {_num(band.min)} |")
    lines += ["", "| 星级 Stars | 最低分 Minimum |", "| --- | ---: |"]
    for star in framework.star_bands:
        lines.append(f"| {'★' * star.stars} ({star.stars}) | {_num(star.min)} |")
    lines += [
        "",
        "总分含加分，可超过满分；触发一票否决时，等级和星级不高于该项规定的上限。",
        "",
        "The total includes bonus points and may exceed the full score; a triggered veto caps the "
        "grade and the stars at the limits it sets.",
        "",
    ]
    return lines


def _scales(framework: Framework) -> list[str]:
    lines: list[str] = []
    for name, bands in framework.grade_scales.items():
        kinds = ", ".join(f"`{k.code}`" for k in framework.subject_kinds if k.scale == name)
        lines += [
            f"### 等级量表 Grade scale `{name}` ({kinds})",
            "",
            "| 等级 Grade | 名称 Name | 最低分 Minimum |",
            "| --- | --- | ---: |",
            *(f"| `{b.grade}` | {_both(b.name)} | {_num(b.min)} |" for b in bands),
            "",
        ]
    return lines


def _standards(framework: Framework) -> list[str]:
    """The standards section: seven-good criteria, standardization, stars, appraisal, terms."""
    section = framework.standards
    if not section:
        return []
    lines = ["## 标准与结果运用 Standards and the use of results", ""]
    for standard in section.get("seven_good", ()):
        title = standard["title"]
        quota = standard.get("quota")
        lines += [
            f"### {_cell(title['zh'])} {_cell(title['en'])} (`{standard['code']}`)",
            "",
            f"适用 Applies to: {', '.join(f'`{k}`' for k in standard['applies_to'])} · "
            + (
                f"名额 quota {_percent(quota['share'])} per `{quota['per']}`"
                if quota
                else "不限名额 no quota"
            ),
            "",
            "| 标准 Criterion | 得分率不低于 Share at least | 必达指标 Required |",
            "| --- | ---: | --- |",
        ]
        for criterion in standard["criteria"]:
            share = criterion.get("min_share", standard.get("min_share", 0.8))
            name = framework.dimension(criterion["dimension"]).name
            required = ", ".join(f"`{c}`" for c in criterion.get("required", ())) or "—"
            lines.append(
                f"| `{criterion['dimension']}` {_both(name)} | {_percent(share)} | {required} |"
            )
        lines.append("")
    standardization = section.get("standardization")
    if standardization:
        lines += [
            "### 党支部标准化规范化建设 Branch standardization",
            "",
            "| 项目 Item | 指标 Indicators | 得分率不低于 At least |",
            "| --- | --- | ---: |",
        ]
        for item in standardization["items"]:
            codes = ", ".join(f"`{c}`" for c in item["indicators"])
            share = _percent(item.get("min_fraction", 0.8))
            name = item["name"]
            lines.append(f"| {_cell(name['zh'])} {_cell(name['en'])} | {codes} | {share} |")
        lines.append("")
    stars = section.get("stars")
    if stars:
        quotas = "; ".join(
            f"{q['stars']}★ ≤ {_percent(q['share'])} per `{q['per']}`"
            for q in stars.get("quotas", ())
        )
        lines += [
            "### 星级党支部 Star-rated branches",
            "",
            f"准入条件 Entry conditions: {', '.join(stars.get('conditions', ()))} "
            f"(未满足最高 at most {stars.get('unmet_cap', 2)}★) · "
            f"年度升降不超过 change at most {stars.get('max_change', 1)}★ · "
            f"名额 quotas: {quotas or '—'}",
            "",
        ]
    appraisal = section.get("member_appraisal")
    if appraisal:
        lines += [
            "### 民主评议党员 Democratic appraisal of members",
            "",
            f"`{appraisal['top_grade']}` ≤ {_percent(round(appraisal.get('top_share', 1 / 3), 4))} "
            f"· 票数 votes `{appraisal['votes']}` · "
            + "; ".join(
                f"`{f['grade']}`: {', '.join(f['steps'])} ({f.get('within_days', 90)} d)"
                for f in appraisal.get("follow_up", ())
            ),
            "",
        ]
    terms = section.get("terms")
    if terms:
        lines += [
            "### 任期 Terms",
            "",
            "; ".join(
                f"{', '.join(f'`{k}`' for k in t['applies_to'])}: {t['years']} 年 years "
                f"from {t['first_year']}"
                for t in terms["kinds"]
            ),
            "",
        ]
    return lines


def _subject_kinds(framework: Framework) -> list[str]:
    lines = [
        "## 评价对象与权重合计 Subject kinds and weight totals",
        "",
        "| 代码 Code | 名称 Name | 类别 Unit | 指标 Indicators | 权重合计 Weight total "
        "| 加分上限 Bonus cap | 一票否决 Vetoes | 各维度权重 Weight by dimension |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for kind in framework.subject_kinds:
        indicators = framework.indicators_for(kind.code)
        total = sum(i.weight for i in indicators if i.scored)
        bonus = sum(i.rubric.cap for i in indicators if isinstance(i.rubric, BonusRubric))
        vetoes = sum(1 for i in indicators if isinstance(i.rubric, VetoRubric))
        by_dimension: dict[str, float] = {}
        for indicator in indicators:
            if indicator.scored:
                by_dimension[indicator.dimension] = (
                    by_dimension.get(indicator.dimension, 0) + indicator.weight
                )
        spread = " · ".join(f"{code} {_num(w)}" for code, w in by_dimension.items())
        lines.append(
            f"| `{kind.code}` | {_both(kind.name)} | {_both(UNIT_KINDS.get(kind.unit), kind.unit)} "
            f"| {len(indicators)} | {_num(total)} | {_num(bonus)} | {vetoes} | {spread} |"
        )
    lines.append("")
    return lines


def _overview(framework: Framework) -> list[str]:
    lines = [
        "## 评价维度概览 Axes at a glance",
        "",
        "| 维度体系 Axis | 维度 Dimensions | 直接计分指标 Indicators scored here "
        "| 同时计入 Also counted here |",
        "| --- | ---: | ---: | ---: |",
    ]
    for axis in framework.axes:
        codes = {d.code for d in axis.walk()}
        own = sum(1 for i in framework.indicators if i.dimension in codes)
        also = sum(1 for i in framework.indicators if codes.intersection(i.also))
        lines.append(f"| {_both(axis.name)} | {len(codes)} | {own} | {also} |")
    lines.append("")
    return lines


def _tree(framework: Framework, dimensions: Iterable[Dimension], depth: int) -> list[str]:
    lines = []
    for dimension in dimensions:
        own, also = _counts(framework, dimension)
        counts = []
        if own:
            counts.append(f"{own} 项指标 indicators")
        if also:
            counts.append(f"{also} 项同时计入 also counted")
        suffix = f" ({'; '.join(counts)})" if counts else ""
        lines.append(f"{'  ' * depth}- **{dimension.code}** {_both(dimension.name)}{suffix}")
        lines += _tree(framework, dimension.children, depth + 1)
    return lines


def _counts(framework: Framework, dimension: Dimension) -> tuple[int, int]:
    codes = {d.code for d in dimension.walk()}
    own = sum(1 for i in framework.indicators if i.dimension in codes)
    also = sum(1 for i in framework.indicators if codes.intersection(i.also))
    return own, also


def _dimension_section(framework: Framework, dimension: Dimension) -> list[str]:
    depth = framework.place(dimension.code).depth
    lines = [f"{'#' * min(3 + depth, 6)} {dimension.code} {_both(dimension.name)}", ""]
    if dimension.description is not None:
        lines += [_cell(dimension.description.zh), "", _cell(dimension.description.en), ""]
    indicators = [i for i in framework.indicators if i.dimension == dimension.code]
    if indicators:
        lines += _indicator_table(framework, indicators)
    counted = [i.code for i in framework.indicators if dimension.code in i.also]
    if counted:
        listed = ", ".join(f"`{code}`" for code in counted)
        lines += [f"同时计入本项的指标 Also counted here: {listed}", ""]
    return lines


def _indicator_table(framework: Framework, indicators: Sequence[Indicator]) -> list[str]:
    lines = [
        "| 代码 Code | 名称 Name | 适用对象 Applies to | 类型 Type | 单位 Unit | 方向 Direction "
        "| 目标 Target | 权重 Weight | 频次 Frequency | 佐证 Evidence | 同时计入 Also "
        "| 评分规则 Rubric |",
        "| --- | --- | --- | --- | --- | --- | ---: | ---: | --- | --- | --- | --- |",
    ]
    for i in indicators:
        name = f"{_cell(i.name.zh)}<br>{_cell(i.name.en)}"
        if i.assessed:
            name += "<br>*（评审确认 reviewer confirms）*"
        if i.source is not None:
            name += "<br>*（记录统计 counted from records）*"
        rubric = f"{_cell(describe_rubric(i, 'zh'))}<br>{_cell(describe_rubric(i, 'en'))}"
        cells = [
            f"`{i.code}`",
            name,
            ", ".join(f"`{k}`" for k in i.applies_to),
            _both(VALUE_TYPES.get(i.value_type), i.value_type),
            _both(i.unit) if i.unit is not None else "—",
            _both(DIRECTIONS.get(i.direction), i.direction),
            _num(i.target) if i.target is not None else "—",
            _num(i.weight),
            _both(FREQUENCIES.get(i.frequency), i.frequency),
            "需要 required" if i.evidence_required else "—",
            ", ".join(i.also) if i.also else "—",
            rubric,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    described = [i for i in indicators if i.description is not None]
    if described:
        lines += ["说明 Notes:", ""]
        for i in described:
            assert i.description is not None
            lines.append(f"- `{i.code}` {_cell(i.description.zh)}<br>{_cell(i.description.en)}")
        lines.append("")
    counted = [i for i in indicators if i.source is not None]
    if counted:
        lines += ["由记录统计 Counted from records:", ""]
        for i in counted:
            assert i.source is not None
            zh, en = describe_source(i.source, "zh"), describe_source(i.source, "en")
            lines.append(f"- `{i.code}` `{i.source.kind}`: {_cell(zh)}<br>{_cell(en)}")
        lines.append("")
    return lines


# -- formatting -------------------------------------------------------------------------------


def _both(text: Text | None, fallback: str = "") -> str:
    if text is None:
        return _cell(fallback)
    if text.zh == text.en:
        return _cell(text.zh)
    return f"{_cell(text.zh)} {_cell(text.en)}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _num(value: float) -> str:
    return f"{value:g}"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


if __name__ == "__main__":
    sys.exit(main())
