"""Reads that shape a framework for people and programs: the browser, the comparison, the API tree.

The framework pages and the framework API read a version through here. Everything comes from the
engine's view of the version (`selectors.engine_framework`, parsed once per version and edit) plus
one query mapping indicator codes to their rows, so a page costs the same handful of queries
whatever the size of the framework.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..choices import Direction, Frequency, RubricKind, ValueType
from ..models import Axis, Dimension, Framework, Indicator
from ..scoring import spec as engine
from ..scoring.explain import describe_rubric
from ..scoring.values import rounded
from .frameworks import compare_frameworks, engine_framework, frameworks

LANGUAGES = ("zh", "en")


def engine_language(language: str | None = None) -> str:
    """The engine's language code ("zh" or "en") for a Django one (the active one by default)."""
    language = language if language is not None else get_language()
    return "en" if (language or "").startswith("en") else "zh"


def _count_of(model: type, fk: str = "framework") -> Coalesce:
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def frameworks_with_counts() -> QuerySet[Framework]:
    """Every framework version with its axis, dimension and indicator counts (one query)."""
    return frameworks().annotate(
        axis_count=_count_of(Axis),
        dimension_count=_count_of(Dimension),
        indicator_count=_count_of(Indicator),
    )


def indicator_ids(framework: Framework) -> dict[str, int]:
    """Indicator code → row id of one version."""
    return dict(Indicator.objects.filter(framework=framework).order_by().values_list("code", "pk"))


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def kind_points(spec: engine.Framework, subject_kind: str) -> dict[str, float]:
    """Points each dimension (its whole subtree) can earn for a subject kind.

    The weights of the scored indicators that apply to the kind, added to their own dimension and
    every ancestor; the top-level dimensions of all axes together add up to ``total_points``.
    """
    points: dict[str, float] = {}
    for indicator in spec.indicators_for(subject_kind):
        if not indicator.scored:
            continue
        code: str | None = indicator.dimension
        while code is not None:
            points[code] = points.get(code, 0.0) + indicator.weight
            code = spec.place(code).parent
    # Float weights such as 100/72 add up to 99.99999999; show what the framework means.
    return {code: rounded(value) for code, value in points.items()}


# -- the browser -------------------------------------------------------------------------------


@dataclass
class IndicatorView:
    """One indicator as the browser shows it, in one language."""

    pk: int | None
    code: str
    name: str
    description: str
    unit: str
    value_type: str
    direction: str
    target: float | None
    weight: float
    frequency: str
    applies_to: list[str]
    evidence_required: bool
    assessed: bool
    rubric_kind: str
    rubric_text: str
    rubric: dict[str, Any]
    also: list[str]
    applies: bool = True

    @classmethod
    def of(
        cls,
        spec: engine.Framework,
        indicator: engine.Indicator,
        lang: str,
        *,
        pk: int | None = None,
        kind_names: dict[str, str] | None = None,
        subject_kind: str | None = None,
    ) -> IndicatorView:
        names = kind_names if kind_names is not None else _kind_names(spec, lang)
        return cls(
            pk=pk,
            code=indicator.code,
            name=indicator.name.get(lang),
            description=indicator.description.get(lang) if indicator.description else "",
            unit=indicator.unit.get(lang) if indicator.unit else "",
            value_type=_label(ValueType, indicator.value_type),
            direction=_label(Direction, indicator.direction),
            target=indicator.target,
            weight=indicator.weight,
            frequency=_label(Frequency, indicator.frequency),
            applies_to=[names.get(code, code) for code in indicator.applies_to],
            evidence_required=indicator.evidence_required,
            assessed=indicator.assessed,
            rubric_kind=_label(RubricKind, indicator.kind),
            rubric_text=describe_rubric(indicator, lang),
            rubric=indicator.rubric.to_dict(),
            also=list(indicator.also),
            applies=subject_kind is None or subject_kind in indicator.applies_to,
        )


@dataclass
class DimensionView:
    """A node of the dimension tree with its own indicators and what it can earn for a kind."""

    code: str
    name: str
    description: str
    depth: int
    children: list[DimensionView] = field(default_factory=list)
    indicators: list[IndicatorView] = field(default_factory=list)
    tagged: list[tuple[str, str]] = field(default_factory=list)
    points: float | None = None
    indicator_count: int = 0


@dataclass
class AxisView:
    code: str
    name: str
    dimensions: list[DimensionView]
    points: float | None = None
    indicator_count: int = 0


@dataclass
class KindView:
    code: str
    name: str
    indicator_count: int
    points: float


@dataclass
class FrameworkBrowse:
    """Everything the framework page shows, in the active language."""

    framework: Framework
    lang: str
    name: str
    goal: str
    total_points: float
    grade_bands: list[dict[str, Any]]
    star_bands: list[dict[str, Any]]
    kinds: list[KindView]
    subject_kind: KindView | None
    axes: list[AxisView]
    indicator_count: int


def _kind_names(spec: engine.Framework, lang: str) -> dict[str, str]:
    return {kind.code: kind.name.get(lang) for kind in spec.subject_kinds}


def framework_browse(
    framework: Framework, *, lang: str, subject_kind: str | None = None
) -> FrameworkBrowse:
    """The framework's goal, bands and dimension trees with their indicators, in ``lang``.

    With a known ``subject_kind`` every dimension and axis carries the points it can earn for that
    kind, and indicators that do not apply to it are marked; an unknown kind is ignored.
    """
    spec = engine_framework(framework)
    ids = indicator_ids(framework)
    names = _kind_names(spec, lang)
    kinds = [
        KindView(
            code=kind.code,
            name=kind.name.get(lang),
            indicator_count=len(spec.indicators_for(kind.code)),
            points=rounded(sum(i.weight for i in spec.indicators_for(kind.code) if i.scored)),
        )
        for kind in spec.subject_kinds
    ]
    chosen = next((k for k in kinds if k.code == subject_kind), None)
    points = kind_points(spec, chosen.code) if chosen else None

    own: dict[str, list[IndicatorView]] = {}
    tagged: dict[str, list[tuple[str, str]]] = {}
    for indicator in spec.indicators:
        own.setdefault(indicator.dimension, []).append(
            IndicatorView.of(
                spec,
                indicator,
                lang,
                pk=ids.get(indicator.code),
                kind_names=names,
                subject_kind=chosen.code if chosen else None,
            )
        )
        for code in indicator.also:
            tagged.setdefault(code, []).append((indicator.code, indicator.name.get(lang)))

    def node(dimension: engine.Dimension, depth: int) -> DimensionView:
        view = DimensionView(
            code=dimension.code,
            name=dimension.name.get(lang),
            description=dimension.description.get(lang) if dimension.description else "",
            depth=depth,
            children=[node(child, depth + 1) for child in dimension.children],
            indicators=own.get(dimension.code, []),
            tagged=tagged.get(dimension.code, []),
            points=(points.get(dimension.code, 0.0) if points is not None else None),
        )
        view.indicator_count = len(view.indicators) + sum(c.indicator_count for c in view.children)
        return view

    axes = []
    for axis in spec.axes:
        dimensions = [node(d, 0) for d in axis.dimensions]
        axes.append(
            AxisView(
                code=axis.code,
                name=axis.name.get(lang),
                dimensions=dimensions,
                points=(
                    rounded(sum(d.points or 0.0 for d in dimensions))
                    if points is not None
                    else None
                ),
                indicator_count=sum(d.indicator_count for d in dimensions),
            )
        )
    return FrameworkBrowse(
        framework=framework,
        lang=lang,
        name=spec.name.get(lang),
        goal=spec.goal.get(lang),
        total_points=spec.total_points,
        grade_bands=[
            {"grade": b.grade, "min": b.min, "name": b.name.get(lang)} for b in spec.grade_bands
        ],
        star_bands=[
            {"stars": b.stars, "symbols": "★" * b.stars, "min": b.min} for b in spec.star_bands
        ],
        kinds=kinds,
        subject_kind=chosen,
        axes=axes,
        indicator_count=len(spec.indicators),
    )


# -- comparison --------------------------------------------------------------------------------

# The order fields are listed in, and their labels; a field not named here comes last.
_FIELD_ORDER = (
    "name",
    "description",
    "dimension",
    "also",
    "applies_to",
    "value_type",
    "unit",
    "direction",
    "target",
    "plausible",
    "weight",
    "frequency",
    "evidence_required",
    "assessed",
    "rectify_below",
    "rubric",
)


def _field_label(key: str) -> str:
    labels = {
        "name": _("Name"),
        "description": _("Description"),
        "dimension": _("Dimension"),
        "also": _("Also counts in"),
        "applies_to": _("Applies to"),
        "value_type": _("Value type"),
        "unit": _("Unit"),
        "direction": _("Direction"),
        "target": _("Target"),
        "plausible": _("Plausible range"),
        "weight": _("Weight"),
        "frequency": _("Frequency"),
        "evidence_required": _("Evidence required"),
        "assessed": _("Judgement"),
        "rectify_below": _("Rectify below"),
        "rubric": _("Rubric"),
    }
    return labels.get(key, key)


@dataclass
class FieldChange:
    """One field of a changed indicator: its label and the value before and after, as text."""

    key: str
    label: str
    before: str
    after: str
    before_detail: str = ""
    after_detail: str = ""


@dataclass
class ChangedIndicator:
    code: str
    name: str
    fields: list[FieldChange]


@dataclass
class ComparisonView:
    """What changed from one version to another, ready to show in one language."""

    old: Framework
    new: Framework
    added: list[IndicatorView]
    removed: list[IndicatorView]
    changed: list[ChangedIndicator]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(key: str, value: Any, spec: engine.Framework, lang: str) -> str:
    """A document value (selectors.framework_document) as text in ``lang``."""
    if value is None or value == [] or value == {}:
        return "—"
    if key in ("name", "description", "unit"):
        other = "zh" if lang == "en" else "en"
        return f"{value.get(lang, '')} / {value.get(other, '')}"
    if key == "dimension":
        try:
            return f"{value} {spec.dimension(value).name.get(lang)}"
        except KeyError:
            return str(value)
    if key == "also":
        return ", ".join(value)
    if key == "applies_to":
        names = _kind_names(spec, lang)
        return ", ".join(names.get(code, code) for code in value)
    if key == "value_type":
        return _label(ValueType, value)
    if key == "direction":
        return _label(Direction, value)
    if key == "frequency":
        return _label(Frequency, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "plausible":
        return f"{_number(value.get('min'))} – {_number(value.get('max'))}"
    if isinstance(value, dict | list):
        return _json(value)
    return _number(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else "—"


def _rubric_words(spec: engine.Framework, code: str, lang: str) -> str:
    return describe_rubric(spec.indicator(code), lang)


def comparison(old: Framework, new: Framework, *, lang: str) -> ComparisonView:
    """Indicators added, removed and changed from ``old`` to ``new``, field by field.

    A changed rubric is shown in words before and after (each in its own version's terms), with
    its parameters as the detail.
    """
    diff = compare_frameworks(old, new)
    before, after = engine_framework(old), engine_framework(new)
    old_ids, new_ids = indicator_ids(old), indicator_ids(new)
    order = {key: n for n, key in enumerate(_FIELD_ORDER)}
    changed = []
    for change in diff.changed:
        rows = []
        for key in sorted(change.fields, key=lambda k: (order.get(k, len(order)), k)):
            was, now = change.fields[key]
            row = FieldChange(
                key=key,
                label=_field_label(key),
                before=_show(key, was, before, lang),
                after=_show(key, now, after, lang),
            )
            if key == "rubric":
                row.before, row.after = (
                    _rubric_words(before, change.code, lang),
                    _rubric_words(after, change.code, lang),
                )
                row.before_detail = _json(was)
                row.after_detail = _json(now)
            rows.append(row)
        changed.append(
            ChangedIndicator(
                code=change.code, name=after.indicator(change.code).name.get(lang), fields=rows
            )
        )
    return ComparisonView(
        old=old,
        new=new,
        added=[
            IndicatorView.of(after, after.indicator(i["code"]), lang, pk=new_ids.get(i["code"]))
            for i in diff.added
        ],
        removed=[
            IndicatorView.of(before, before.indicator(i["code"]), lang, pk=old_ids.get(i["code"]))
            for i in diff.removed
        ],
        changed=changed,
    )


# -- the API tree ------------------------------------------------------------------------------


def _text(value: engine.Text | None) -> dict[str, str] | None:
    return value.to_dict() if value is not None else None


def indicator_document(indicator: engine.Indicator, *, pk: int | None = None) -> dict[str, Any]:
    """An indicator for the API: every field present (null when unset), its rubric in words."""
    plausible = indicator.plausible
    return {
        "id": pk,
        "code": indicator.code,
        "name": indicator.name.to_dict(),
        "description": _text(indicator.description),
        "dimension": indicator.dimension,
        "also": list(indicator.also),
        "applies_to": list(indicator.applies_to),
        "value_type": indicator.value_type,
        "unit": _text(indicator.unit),
        "direction": indicator.direction,
        "target": indicator.target,
        "plausible_min": plausible.min if plausible else None,
        "plausible_max": plausible.max if plausible else None,
        "weight": indicator.weight,
        "frequency": indicator.frequency,
        "evidence_required": indicator.evidence_required,
        "assessed": indicator.assessed,
        "rectify_below": indicator.rectify_below,
        "rubric": indicator.rubric.to_dict(),
        "rubric_text": {lang: describe_rubric(indicator, lang) for lang in LANGUAGES},
    }


def framework_tree(framework: Framework) -> dict[str, Any]:
    """The whole version for the API: per axis the dimension tree, indicators nested in it."""
    spec = engine_framework(framework)
    ids = indicator_ids(framework)
    own: dict[str, list[dict[str, Any]]] = {}
    for indicator in spec.indicators:
        own.setdefault(indicator.dimension, []).append(
            indicator_document(indicator, pk=ids.get(indicator.code))
        )

    def node(dimension: engine.Dimension) -> dict[str, Any]:
        return {
            "code": dimension.code,
            "name": dimension.name.to_dict(),
            "description": _text(dimension.description),
            "indicators": own.get(dimension.code, []),
            "children": [node(child) for child in dimension.children],
        }

    return {
        "id": framework.pk,
        "code": framework.code,
        "version": framework.version,
        "status": framework.status,
        "name": spec.name.to_dict(),
        "goal": spec.goal.to_dict(),
        "total_points": spec.total_points,
        "rectify_below": spec.rectify_below,
        "published_at": framework.published_at,
        "grade_bands": [b.to_dict() for b in spec.grade_bands],
        "star_bands": [b.to_dict() for b in spec.star_bands],
        "subject_kinds": [
            {
                **kind.to_dict(),
                "indicator_count": len(spec.indicators_for(kind.code)),
            }
            for kind in spec.subject_kinds
        ],
        "axes": [
            {
                "code": axis.code,
                "name": axis.name.to_dict(),
                "dimensions": [node(d) for d in axis.dimensions],
            }
            for axis in spec.axes
        ],
    }
