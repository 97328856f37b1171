"""What is wrong with a framework file, in both languages, and the error that lists it.

A ``Problem`` is where (``indicators[12].rubric.kind (C1.03)``), a stable ``code`` and the
parameters; ``MESSAGES`` holds each code's text in English and Chinese, the way the rest of the
pure core carries both languages (``rubrics.Message``) instead of a gettext catalogue, which would
need Django. ``FrameworkError.errors`` is the English list callers have always read;
``FrameworkError.messages(lang)`` is the same list in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..text import is_english
from .model import Text

__all__ = ["MESSAGES", "FrameworkError", "Problem", "type_name"]

# code: (English, Chinese), str.format templates over the problem's parameters.
MESSAGES: dict[str, tuple[str, str]] = {
    "note": ("{text}", "{text}"),
    "file_not_mapping": (
        "{path}: the file does not hold a mapping",
        "{path}：文件内容不是映射（键值对）",
    ),
    "mapping": ("must be a mapping, not {type}", "应为映射（键值对），而不是{type}"),
    "missing_key": ("missing key '{key}'", "缺少键 '{key}'"),
    "unknown_key": ("unknown key '{key}'", "未知的键 '{key}'"),
    "number": ("must be a number, not {type}", "应为数字，而不是{type}"),
    "too_large": (
        "is too large: a number of {digits} digits (at most about 1.8e308)",
        "数字太大：共 {digits} 位（最多约 1.8e308）",
    ),
    "finite": ("must be a finite number", "应为有限的数字"),
    "whole": ("must be a whole number, not {value:g}", "应为整数，而不是 {value:g}"),
    "at_least": (
        "must be at least {ge:g}, not {value:g}",
        "不能小于 {ge:g}，现为 {value:g}",
    ),
    "at_most": (
        "must be at most {le:g}, not {value:g}",
        "不能大于 {le:g}，现为 {value:g}",
    ),
    "above_zero": ("must be above 0, not {value:g}", "应大于 0，现为 {value:g}"),
    "string": ("must be a non-empty string, not {type}", "应为非空字符串，而不是{type}"),
    "code": (
        "invalid code {value!r}: use letters, digits, '.' and '_', starting with a letter",
        "代码 {value!r} 无效：只能用字母、数字、“.”和“_”，并以字母开头",
    ),
    "name_code": (
        "invalid code {value!r}: use letters, digits and '_', starting with a letter",
        "代码 {value!r} 无效：只能用字母、数字和“_”，并以字母开头",
    ),
    "choice": (
        "unknown {what} {value!r} (one of {choices})",
        "未知的 {what} {value!r}（可选：{choices}）",
    ),
    "flag": ("must be true or false, not {type}", "应为 true 或 false，而不是{type}"),
    "list": ("must be a list, not {type}", "应为列表，而不是{type}"),
    "text_pair": ("must be a {{zh: …, en: …}} pair", "应为中英文对 {{zh: …, en: …}}"),
    "text_language": (
        "unknown language {lang!r} (zh and en)",
        "未知的语言 {lang!r}（只有 zh 和 en）",
    ),
    "text_missing": ("missing {lang} text", "缺少 {lang} 文本"),
    "needs_band": ("needs at least one band", "至少需要一个档次"),
    "needs_subject_kind": ("needs at least one subject kind", "至少需要一种评价对象类型"),
    "needs_dimension": ("needs at least one dimension", "至少需要一个维度"),
    "needs_indicator": ("needs at least one indicator", "至少需要一个指标"),
    "needs_criterion": ("needs at least one criterion", "至少需要一项标准"),
    "needs_step": ("needs at least one step", "至少需要一个步骤"),
    "unknown_scale": (
        "unknown grade scale {code!r} (grade_scales: {scales})",
        "未知的等级量表 {code!r}（grade_scales 中有：{scales}）",
    ),
    "grade_in_two_scales": (
        "grade {grade!r} is already a grade of {other}: grade codes are unique across scales",
        "等级 {grade!r} 已在 {other} 中使用：各量表的等级代码不能重复",
    ),
    "unknown_standard_indicator": ("unknown indicator {code!r}", "未知的指标 {code!r}"),
    "standard_indicator_kind": (
        "indicator {code!r} does not apply to {kind!r}",
        "指标 {code!r} 不适用于 {kind!r}",
    ),
    "criterion_outside": (
        "dimension {code!r} is not below the standard's dimension {parent!r}",
        "维度 {code!r} 不在该标准的维度 {parent!r} 之下",
    ),
    "votes_not_appraisal": (
        "indicator {code!r} is not an appraisal of votes",
        "指标 {code!r} 不是民主评议票数类指标",
    ),
    "roll_up_organization": (
        "{code!r} is an organization kind: organizations roll up as the tree's children",
        "{code!r} 是组织类型：组织通过组织树逐级汇总",
    ),
    "roll_up_weights": (
        "the units' weights add up to {total:g}: they must leave the organization's own score "
        "a share (less than 1)",
        "各类单元权重之和为 {total:g}，须小于 1，为组织自身得分留出权重",
    ),
    "ratings_order": (
        "ratings must be ordered highest first by min, the last at 0 (got {mins})",
        "评价档次应按 min 从高到低排列，最后一档为 0（现为 {mins}）",
    ),
    "plausible_empty": ("needs min, max or both", "需要 min、max 或两者"),
    "plausible_order": ("min {low:g} is above max {high:g}", "min {low:g} 大于 max {high:g}"),
    "formula": ("{error}", "{error}"),  # a FormulaError's own text, which names the formula
    "formula_word": (
        "{code!r} is a formula word and cannot be an indicator code",
        "{code!r} 是公式保留字，不能用作指标代码",
    ),
    "duplicate_grade": ("duplicate grade {grade!r}", "等级 {grade!r} 重复"),
    "grade_bands_order": (
        "grade bands must be ordered highest first by min (got {mins})",
        "等级档次应按 min 从高到低排列（现为 {mins}）",
    ),
    "star_bands_order": (
        "star bands must be ordered highest first by min (got {mins})",
        "星级档次应按 min 从高到低排列（现为 {mins}）",
    ),
    "grade_bands_floor": (
        "the last grade band must start at 0 so every total gets one",
        "最后一个等级档次应从 0 开始，使每个总分都有等级",
    ),
    "star_bands_floor": (
        "the last star band must start at 0 so every total gets one",
        "最后一个星级档次应从 0 开始，使每个总分都有星级",
    ),
    "stars_descend": (
        "stars must descend, highest first (got {stars})",
        "星级应从高到低排列（现为 {stars}）",
    ),
    "duplicate_subject_kind": (
        "duplicate subject kind code {code!r}",
        "评价对象类型代码 {code!r} 重复",
    ),
    "duplicate_axis": ("duplicate axis code {code!r}", "体系代码 {code!r} 重复"),
    "duplicate_dimension": ("duplicate dimension code {code!r}", "维度代码 {code!r} 重复"),
    "duplicate_indicator": (
        "duplicate indicator code {code!r} (first at indicators[{first}])",
        "指标代码 {code!r} 重复（首次出现在 indicators[{first}]）",
    ),
    "unit_required": (
        "missing key 'unit' (required for {value_type} indicators)",
        "缺少键 'unit'（{value_type} 类指标必须有单位）",
    ),
    "unknown_dimension": ("unknown dimension {code!r}", "未知的维度 {code!r}"),
    "unknown_also": ("unknown also dimension {code!r}", "also 中的维度 {code!r} 不存在"),
    "also_twice": ("dimension {code!r} is listed twice", "维度 {code!r} 列出了两次"),
    "also_same_axis": (
        "dimension {code!r} is on the same axis ({axis}) as the indicator's dimension "
        "{dimension!r}; also is for other axes",
        "维度 {code!r} 与指标所属维度 {dimension!r} 在同一体系（{axis}）中；also 只用于其他体系",
    ),
    "unknown_subject_kind": ("unknown subject kind {code!r}", "未知的评价对象类型 {code!r}"),
    "subject_kind_twice": (
        "subject kind {code!r} is listed twice",
        "评价对象类型 {code!r} 列出了两次",
    ),
    "unknown_rubric": ("unknown rubric kind {kind!r}", "未知的评分规则类型 {kind!r}"),
    "then_kind": (
        "a formula's then rubric cannot be {kind!r}",
        "公式的 then 评分规则不能是 {kind!r}",
    ),
    "unsuited": (
        "rubric {kind!r} does not suit value_type {value_type!r} (it takes {suits})",
        "评分规则 {kind!r} 不适用于 value_type {value_type!r}（只适用于 {suits}）",
    ),
    "weight_needed": (
        "a {kind} indicator needs a weight above 0 (use kind none to record only)",
        "{kind} 指标的权重应大于 0（只记录不计分请用 none）",
    ),
    "weight_zero": (
        "a {kind} indicator must have weight 0, not {weight:g}",
        "{kind} 指标的权重应为 0，而不是 {weight:g}",
    ),
    "linear_target": (
        "a linear rubric needs the indicator's target",
        "线性评分规则需要指标的 target（目标值）",
    ),
    "floor_is_target": ("floor {floor:g} equals the target", "下限 {floor:g} 等于目标值"),
    "floor_above_target": (
        "floor {floor:g} is above the target {target:g}; for direction 'higher' the floor must "
        "be below the target",
        "下限 {floor:g} 高于目标值 {target:g}；direction 为 'higher' 时下限应低于目标值",
    ),
    "floor_below_target": (
        "floor {floor:g} is below the target {target:g}; for direction 'lower' the floor must "
        "be above the target",
        "下限 {floor:g} 低于目标值 {target:g}；direction 为 'lower' 时下限应高于目标值",
    ),
    "band_key": (
        "bands for direction {direction!r} use {key!r}, not {other!r}",
        "direction 为 {direction!r} 时档次用 {key!r}，而不是 {other!r}",
    ),
    "bands_order_min": (
        "bands must be ordered best first (descending 'min'); got {limits}",
        "档次应从最好到最差排列（'min' 递减）；现为 {limits}",
    ),
    "bands_order_max": (
        "bands must be ordered best first (ascending 'max'); got {limits}",
        "档次应从最好到最差排列（'max' 递增）；现为 {limits}",
    ),
    "fractions_rise": (
        "band fractions must not rise from the best band to the worst; got {fractions}",
        "档次得分比例从最好到最差不能上升；现为 {fractions}",
    ),
    "floor_above_weight": (
        "floor {floor:g} is above the weight {weight:g}",
        "下限 {floor:g} 高于权重 {weight:g}",
    ),
    "unknown_grade": (
        "unknown grade {grade!r} (grades: {grades})",
        "未知的等级 {grade!r}（等级：{grades}）",
    ),
    "unknown_stars": (
        "unknown star level {stars} (levels: {levels})",
        "未知的星级 {stars}（星级：{levels}）",
    ),
    "formula_unknown": (
        "the formula names unknown indicator {code!r}",
        "公式引用了不存在的指标 {code!r}",
    ),
    "formula_input": (
        "the formula uses {code!r}, a {value_type} indicator; formulas take numbers, "
        "percentages, counts, booleans and other formulas",
        "公式用到了 {value_type} 类指标 {code!r}；公式只能用数值、百分比、计数、是否和其他公式指标",
    ),
    "formula_scope": (
        "the formula uses {code!r}, which does not apply to {kinds}",
        "公式用到的 {code!r} 不适用于 {kinds}",
    ),
    "formula_cycle": (
        "formulas depend on each other in a cycle: {cycle}",
        "公式之间循环依赖：{cycle}",
    ),
    "unknown_source": (
        "unknown source {kind!r} (one of {kinds})",
        "未知的数据来源 {kind!r}（可选：{kinds}）",
    ),
    "source_value_type": (
        "source {kind!r} does not suit value_type {value_type!r} (it gives {suits})",
        "数据来源 {kind!r} 不适用于 value_type {value_type!r}（只能得出 {suits}）",
    ),
    "source_subject": (
        "source {kind!r} counts for subjects of unit {units}; subject kind {code!r} has unit "
        "{unit}",
        "数据来源 {kind!r} 只能用于{units}类评价对象；评价对象类型 {code!r} 属于{unit}",
    ),
    "source_formula": (
        "a formula indicator is computed from other indicators and cannot have a source",
        "公式指标由其他指标计算得出，不能设置数据来源",
    ),
    "source_meeting_kind": (
        "unknown meeting kind {code!r} (records.meeting_kinds: {kinds})",
        "未知的会议类型 {code!r}（records.meeting_kinds 中有：{kinds}）",
    ),
    "weights": (
        "the weights of subject kind {kind!r} add up to {got:g} over {count} indicators, "
        "expected total_points {total:g}",
        "评价对象类型 {kind!r} 的 {count} 个指标权重合计 {got:g}，应等于 total_points {total:g}",
    ),
}

_TOP_LEVEL = Text("（顶层）", "(top level)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``where`` is the path in the file and the code of the item it belongs to
    (``""`` is the top level, None a problem of no place); ``code`` keys ``MESSAGES``."""

    where: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        en, zh = MESSAGES[self.code]
        params = {k: v.get(lang) if isinstance(v, Text) else v for k, v in self.params.items()}
        message = (en if is_english(lang) else zh).format(**params)
        if self.where is None:
            return message
        where = self.where or _TOP_LEVEL.get(lang)
        return f"{where}: {message}" if is_english(lang) else f"{where}：{message}"

    def __str__(self) -> str:
        return self.text("en")


class FrameworkError(ValueError):
    """A framework file is invalid; ``errors`` lists every problem with its location (English),
    ``messages(lang)`` the same in the reader's language."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = [
            p if isinstance(p, Problem) else Problem(None, "note", {"text": p}) for p in problems
        ]
        self.errors = [p.text("en") for p in self.problems]
        super().__init__("\n".join(self.errors))

    def messages(self, lang: str) -> list[str]:
        """Every problem in ``lang`` ("en"; anything else is Chinese, as ``Text.get``)."""
        return [p.text(lang) for p in self.problems]


def type_name(value: object) -> Text:
    """What a wrong value is, for messages such as "must be a number, not a list"."""
    if value is None:
        return Text("空值", "nothing")
    if isinstance(value, bool):
        return Text("布尔值", "a boolean")
    if isinstance(value, Mapping):
        return Text("映射", "a mapping")
    if isinstance(value, list | tuple):
        return Text("列表", "a list")
    if isinstance(value, str):
        return Text(f"字符串 {value!r}", f"the string {value!r}")
    return Text(type(value).__name__, type(value).__name__)
