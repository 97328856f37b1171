"""Reads of the assessment app: frameworks as documents, as engine objects and as trees."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from ..choices import FrameworkStatus
from ..models import Dimension, Framework, Indicator
from ..scoring import spec as engine
from ..scoring.spec import parse_framework

# Keyed by id, edit revision and creation time: a published version never changes, and an id
# reused after a delete (tests, a replaced draft) comes with a new creation time.
_ENGINE_CACHE: dict[tuple, engine.Framework] = {}


def frameworks() -> QuerySet[Framework]:
    """Frameworks are shared by the whole group: every signed-in user may read them."""
    return Framework.objects.all()


def current_framework(code: str | None = None) -> Framework | None:
    qs = Framework.objects.filter(status=FrameworkStatus.PUBLISHED).order_by("-published_at")
    if code:
        qs = qs.filter(code=code)
    return qs.first()


def _text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def framework_document(framework: Framework, *, override: Indicator | None = None) -> dict:
    """The framework as the dict of the file format (docs/framework-format.md), from its rows.

    `override` replaces the stored row of the same indicator: how an edit is validated before it
    is saved. Four queries whatever the framework's size.
    """
    dimensions = list(
        Dimension.objects.filter(framework=framework).select_related("axis").order_by("position")
    )
    children: dict[int | None, list[Dimension]] = {}
    for dim in dimensions:
        children.setdefault(dim.parent_id, []).append(dim)

    def dim_dict(dim: Dimension) -> dict[str, Any]:
        out: dict[str, Any] = {"code": dim.code, "name": _text(dim.name, dim.name_en)}
        if dim.description or dim.description_en:
            out["description"] = _text(dim.description, dim.description_en)
        if children.get(dim.pk):
            out["children"] = [dim_dict(child) for child in children[dim.pk]]
        return out

    axes = []
    for axis in framework.axes.order_by("position"):
        tops = [d for d in children.get(None, []) if d.axis_id == axis.pk]
        axes.append(
            {
                "code": axis.code,
                "name": _text(axis.name, axis.name_en),
                "dimensions": [dim_dict(d) for d in tops],
            }
        )
    rows = Indicator.objects.filter(framework=framework).select_related("dimension")
    indicators = [
        indicator_document(override if override and override.pk == row.pk else row)
        for row in rows.prefetch_related("also").order_by("position")
    ]
    return {
        "code": framework.code,
        "version": framework.version,
        "name": _text(framework.name, framework.name_en),
        "goal": _text(framework.goal, framework.goal_en),
        "total_points": framework.total_points,
        "grade_bands": framework.grade_bands,
        "star_bands": framework.star_bands,
        "rectify_below": framework.rectify_below,
        "subject_kinds": framework.subject_kinds,
        "axes": axes,
        "indicators": indicators,
        **({"records": framework.records} if framework.records else {}),
        **({"grade_scales": framework.grade_scales} if framework.grade_scales else {}),
        **({"standards": framework.standards} if framework.standards else {}),
    }


def indicator_document(row: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": row.code,
        "name": _text(row.name, row.name_en),
        "dimension": row.dimension.code,
        "applies_to": list(row.applies_to),
        "value_type": row.value_type,
        "direction": row.direction,
        "weight": row.weight,
        "frequency": row.frequency,
        "evidence_required": row.evidence_required,
        "assessed": row.assessed,
        "rubric": row.rubric,
    }
    if row.description or row.description_en:
        out["description"] = _text(row.description, row.description_en)
    also = [d.code for d in row.also.all()]
    if also:
        out["also"] = also
    if row.unit or row.unit_en:
        out["unit"] = _text(row.unit, row.unit_en)
    if row.target is not None:
        out["target"] = row.target
    if row.plausible_min is not None or row.plausible_max is not None:
        out["plausible"] = {
            k: v
            for k, v in (("min", row.plausible_min), ("max", row.plausible_max))
            if v is not None
        }
    if row.rectify_below is not None:
        out["rectify_below"] = row.rectify_below
    if row.source:
        out["source"] = row.source
    return out


def engine_framework(framework: Framework) -> engine.Framework:
    """The pure engine's view of a framework, parsed once per version and edit."""
    key = (framework.pk, framework.revision, framework.created_at)
    cached = _ENGINE_CACHE.get(key)
    if cached is None:
        cached = parse_framework(framework_document(framework))
        _ENGINE_CACHE[key] = cached
    return cached


@dataclass
class IndicatorChange:
    code: str
    name: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class FrameworkComparison:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[IndicatorChange]


def compare_frameworks(old: Framework, new: Framework) -> FrameworkComparison:
    """Indicators added, removed and changed (field by field, rubric included) from old to new."""
    before = {i["code"]: i for i in framework_document(old)["indicators"]}
    after = {i["code"]: i for i in framework_document(new)["indicators"]}
    changed = []
    for code in sorted(before.keys() & after.keys()):
        keys = before[code].keys() | after[code].keys()
        diffs = {
            k: (before[code].get(k), after[code].get(k))
            for k in sorted(keys)
            if before[code].get(k) != after[code].get(k)
        }
        if diffs:
            changed.append(IndicatorChange(code, after[code]["name"]["zh"], diffs))
    return FrameworkComparison(
        added=[after[c] for c in sorted(after.keys() - before.keys())],
        removed=[before[c] for c in sorted(before.keys() - after.keys())],
        changed=changed,
    )
