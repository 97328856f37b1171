"""Writes of the assessment app: loading, publishing, archiving, cloning and editing frameworks.

Each function is one transaction. A framework is only ever written through here, so the rows the
database holds always form a framework the engine accepts.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail

from ..choices import FrameworkStatus
from ..models import Axis, Dimension, Framework, FrameworkLocked, Indicator
from ..scoring import spec as engine
from ..scoring.spec import FrameworkError, parse_framework


class FrameworkExists(ValueError):
    """The code and version are already loaded."""


@transaction.atomic
def load_framework(
    data: Mapping[str, Any], *, acting_user=None, replace_draft: bool = False
) -> Framework:
    """Validate a framework document and store it as a new draft version (all or nothing).

    Raises FrameworkError (with every problem) for an invalid document and FrameworkExists when
    the version is already loaded, unless it is a draft and `replace_draft` is set.
    """
    spec = parse_framework(data)
    existing = Framework.objects.filter(code=spec.code, version=spec.version).first()
    if existing is not None:
        if not (replace_draft and existing.is_draft):
            raise FrameworkExists(
                _("Framework %(code)s version %(version)s is already loaded.")
                % {"code": spec.code, "version": spec.version}
            )
        # Indicators first: they protect their dimensions from a cascading delete.
        Indicator.objects.filter(framework=existing).delete()
        existing.delete()
    framework = _store(spec, acting_user=acting_user)
    audit_trail.framework_loaded(framework, replaced=existing is not None, acting_user=acting_user)
    return framework


def _store(spec: engine.Framework, *, acting_user=None, cloned_from=None) -> Framework:
    framework = Framework.objects.create(
        code=spec.code,
        version=spec.version,
        name=spec.name.zh,
        name_en=spec.name.en,
        goal=spec.goal.zh,
        goal_en=spec.goal.en,
        total_points=spec.total_points,
        rectify_below=spec.rectify_below,
        grade_bands=[band.to_dict() for band in spec.grade_bands],
        star_bands=[band.to_dict() for band in spec.star_bands],
        subject_kinds=[kind.to_dict() for kind in spec.subject_kinds],
        records=dict(spec.records),
        grade_scales={
            name: [band.to_dict() for band in bands] for name, bands in spec.grade_scales.items()
        },
        standards=dict(spec.standards),
        created_by=acting_user,
        cloned_from=cloned_from,
    )
    dimensions: dict[str, Dimension] = {}
    position = 0
    for axis_position, axis_spec in enumerate(spec.axes):
        axis = Axis.objects.create(
            framework=framework,
            code=axis_spec.code,
            name=axis_spec.name.zh,
            name_en=axis_spec.name.en,
            position=axis_position,
        )
        # Parents before children, level by level, so each row can point at its saved parent.
        level = [(d, None, 0) for d in axis_spec.dimensions]
        while level:
            rows = []
            for dim_spec, parent_code, depth in level:
                position += 1
                rows.append(
                    Dimension(
                        framework=framework,
                        axis=axis,
                        parent=dimensions.get(parent_code) if parent_code else None,
                        code=dim_spec.code,
                        name=dim_spec.name.zh,
                        name_en=dim_spec.name.en,
                        description=dim_spec.description.zh if dim_spec.description else "",
                        description_en=dim_spec.description.en if dim_spec.description else "",
                        depth=depth,
                        position=position,
                    )
                )
            for row in Dimension.objects.bulk_create(rows):
                dimensions[row.code] = row
            level = [(c, d.code, depth + 1) for d, _p, depth in level for c in d.children]

    indicators = Indicator.objects.bulk_create(
        [_indicator_row(framework, i, dimensions, n) for n, i in enumerate(spec.indicators)]
    )
    through = Indicator.also.through
    through.objects.bulk_create(
        [
            through(indicator_id=row.pk, dimension_id=dimensions[code].pk)
            for row, ind in zip(indicators, spec.indicators, strict=True)
            for code in ind.also
        ]
    )
    return framework


def _indicator_row(
    framework: Framework, ind: engine.Indicator, dimensions: dict[str, Dimension], position: int
) -> Indicator:
    return Indicator(
        framework=framework,
        code=ind.code,
        name=ind.name.zh,
        name_en=ind.name.en,
        description=ind.description.zh if ind.description else "",
        description_en=ind.description.en if ind.description else "",
        dimension=dimensions[ind.dimension],
        applies_to=list(ind.applies_to),
        value_type=ind.value_type,
        unit=ind.unit.zh if ind.unit else "",
        unit_en=ind.unit.en if ind.unit else "",
        direction=ind.direction,
        target=ind.target,
        plausible_min=ind.plausible.min if ind.plausible else None,
        plausible_max=ind.plausible.max if ind.plausible else None,
        weight=ind.weight,
        frequency=ind.frequency,
        evidence_required=ind.evidence_required,
        assessed=ind.assessed,
        rectify_below=ind.rectify_below,
        rubric_kind=ind.rubric.kind,
        rubric=ind.rubric.to_dict(),
        source=ind.source.to_dict() if ind.source else {},
        position=position,
    )


@transaction.atomic
def publish_framework(framework: Framework, *, acting_user=None) -> Framework:
    """Publish a draft; the version published before it (same code) is archived."""
    from ..selectors import framework_document

    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not framework.is_draft:
        raise FrameworkLocked(framework)
    parse_framework(framework_document(framework))  # a draft edited row by row must still add up
    archived = []
    for previous in Framework.objects.filter(code=framework.code, status=FrameworkStatus.PUBLISHED):
        previous.status = FrameworkStatus.ARCHIVED
        previous.save(update_fields=["status"])
        archived.append(previous.pk)
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    audit_trail.framework_published(framework, archived=archived, acting_user=acting_user)
    return framework


@transaction.atomic
def archive_framework(framework: Framework, *, acting_user=None) -> Framework:
    was = framework.status
    framework.status = FrameworkStatus.ARCHIVED
    framework.save(update_fields=["status"])
    audit_trail.framework_archived(framework, was=was, acting_user=acting_user)
    return framework


@transaction.atomic
def clone_framework(framework: Framework, *, version: str, acting_user=None) -> Framework:
    """A new draft version with the same content: how next year's framework starts."""
    from ..selectors import framework_document

    if Framework.objects.filter(code=framework.code, version=version).exists():
        raise FrameworkExists(
            _("Framework %(code)s version %(version)s is already loaded.")
            % {"code": framework.code, "version": version}
        )
    document = {**framework_document(framework), "version": version}
    clone = _store(parse_framework(document), acting_user=acting_user, cloned_from=framework)
    audit_trail.framework_cloned(clone, source=framework, acting_user=acting_user)
    return clone


EDITABLE_INDICATOR_FIELDS = (
    "name",
    "name_en",
    "description",
    "description_en",
    "unit",
    "unit_en",
    "target",
    "plausible_min",
    "plausible_max",
    "weight",
    "frequency",
    "evidence_required",
    "assessed",
    "rectify_below",
    "rubric",
)


@transaction.atomic
def update_indicator(indicator: Indicator, changes: Mapping[str, Any], *, acting_user=None):
    """Edit an indicator of a draft; the whole framework is re-validated before anything saves.

    Raises FrameworkLocked for a published version and FrameworkError when the edit would make the
    framework invalid (weights no longer adding up, a rubric that does not fit, …).
    """
    from ..selectors import framework_document

    framework = Framework.objects.select_for_update().get(pk=indicator.framework_id)
    if not framework.is_draft:
        raise FrameworkLocked(framework)
    unknown = set(changes) - set(EDITABLE_INDICATOR_FIELDS)
    if unknown:
        raise FrameworkError([f"{indicator.code}: fields cannot be edited: {sorted(unknown)}"])
    before = {name: getattr(indicator, name) for name in changes}
    for name, value in changes.items():
        setattr(indicator, name, value)
    if "rubric" in changes:
        indicator.rubric_kind = (changes["rubric"] or {}).get("kind", "")
    parse_framework(framework_document(framework, override=indicator))
    indicator.save()
    framework.revision += 1
    framework.save(update_fields=["revision"])
    audit_trail.indicator_updated(indicator, before, acting_user=acting_user)
    return indicator
