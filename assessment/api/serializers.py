"""Representations of frameworks in the REST API, and the body and answer of a trial score.

The list describes each version from its row; the detail and the score are plain data built by
`assessment.browse` and the scoring engine, and these serializers give them their documented
shape.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Direction, FrameworkStatus, Frequency, ValueType
from ..models import Framework
from ..scoring.formula import finite


class BilingualTextSerializer(serializers.Serializer):
    """A text in both languages."""

    zh = serializers.CharField(label=_("Chinese"))
    en = serializers.CharField(label=_("English"))


class BilingualNameSerializer(serializers.Serializer):
    """A row's bilingual name (its ``name`` and ``name_en`` columns)."""

    zh = serializers.CharField(source="name", label=_("Chinese"))
    en = serializers.CharField(source="name_en", label=_("English"))


class FrameworkCountsSerializer(serializers.Serializer):
    axes = serializers.IntegerField(source="axis_count", label=_("axes"))
    dimensions = serializers.IntegerField(source="dimension_count", label=_("dimensions"))
    indicators = serializers.IntegerField(source="indicator_count", label=_("indicators"))


class FrameworkSerializer(serializers.ModelSerializer):
    """One framework version in a list."""

    name = BilingualNameSerializer(source="*", read_only=True)
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, label=_("status (display name)")
    )
    counts = FrameworkCountsSerializer(source="*", read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "version",
            "status",
            "status_display",
            "name",
            "total_points",
            "published_at",
            "cloned_from",
            "counts",
        ]
        read_only_fields = fields


class FrameworkGradeBandSerializer(serializers.Serializer):
    grade = serializers.CharField()
    min = serializers.FloatField(label=_("lowest total of the band"))
    name = BilingualTextSerializer()


class FrameworkStarBandSerializer(serializers.Serializer):
    stars = serializers.IntegerField()
    min = serializers.FloatField(label=_("lowest total of the band"))


class FrameworkSubjectKindSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField(label=_("kind of assessed unit"))
    name = BilingualTextSerializer()
    indicator_count = serializers.IntegerField(label=_("indicators that apply"))


class FrameworkIndicatorSerializer(serializers.Serializer):
    """An indicator with its rubric as parameters and in words."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = BilingualTextSerializer()
    description = BilingualTextSerializer(allow_null=True)
    dimension = serializers.CharField(label=_("code of its dimension"))
    also = serializers.ListField(
        child=serializers.CharField(), label=_("codes of the dimensions it also counts in")
    )
    applies_to = serializers.ListField(
        child=serializers.CharField(), label=_("codes of the subject kinds it applies to")
    )
    value_type = serializers.ChoiceField(choices=ValueType.choices)
    unit = BilingualTextSerializer(allow_null=True)
    direction = serializers.ChoiceField(choices=Direction.choices)
    target = serializers.FloatField(allow_null=True)
    plausible_min = serializers.FloatField(allow_null=True)
    plausible_max = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField()
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    evidence_required = serializers.BooleanField()
    assessed = serializers.BooleanField(label=_("a judgement the reviewer confirms"))
    rectify_below = serializers.FloatField(allow_null=True)
    rubric = serializers.JSONField(label=_("rubric parameters, with its kind"))
    rubric_text = BilingualTextSerializer(label=_("the rubric in words"))


class FrameworkDimensionSerializer(serializers.Serializer):
    """A node of a dimension tree: its own indicators, then its children."""

    code = serializers.CharField()
    name = BilingualTextSerializer()
    description = BilingualTextSerializer(allow_null=True)
    indicators = FrameworkIndicatorSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["children"] = FrameworkDimensionSerializer(many=True)
        return fields


class FrameworkAxisSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = BilingualTextSerializer()
    dimensions = FrameworkDimensionSerializer(many=True)


class FrameworkDetailSerializer(serializers.Serializer):
    """A whole framework version: bands, subject kinds and per axis its dimension tree."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.CharField()
    # A plain string here: the choice set is documented once, as the list's enum (two components
    # sharing it next to people's "status" would make the schema's enum names ambiguous).
    status = serializers.CharField(
        help_text=_("%(choices)s; the same values as in the list.")
        % {"choices": ", ".join(FrameworkStatus.values)}
    )
    name = BilingualTextSerializer()
    goal = BilingualTextSerializer()
    total_points = serializers.FloatField()
    rectify_below = serializers.FloatField()
    published_at = serializers.DateTimeField(allow_null=True)
    grade_bands = FrameworkGradeBandSerializer(many=True)
    star_bands = FrameworkStarBandSerializer(many=True)
    subject_kinds = FrameworkSubjectKindSerializer(many=True)
    axes = FrameworkAxisSerializer(many=True)


class TrialScoreRequestSerializer(serializers.Serializer):
    """A trial score: one subject kind and values keyed by indicator code ("n/a": not applicable).

    Checked against the framework in the context: the kind must be one of its subject kinds and
    every code one of its indicators.
    """

    subject_kind = serializers.CharField(label=_("subject kind"))
    values = serializers.DictField(
        label=_("values by indicator code"),
        error_messages={
            "not_a_dict": _(
                'values must be an object mapping indicator codes to values, not "{input_type}".'
            )
        },
    )

    def validate_subject_kind(self, value: str) -> str:
        kinds = [kind["code"] for kind in self.context["framework"].subject_kinds]
        if value not in kinds:
            raise serializers.ValidationError(
                _("Unknown subject kind %(kind)s; this framework knows: %(known)s.")
                % {"kind": repr(value), "known": ", ".join(kinds)}
            )
        return value

    def validate_values(self, values: dict[str, Any]) -> dict[str, Any]:
        known = self.context["indicator_codes"]
        unknown = sorted(code for code in values if code not in known)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown indicator codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        too_large = sorted(
            code
            for code, value in values.items()
            if isinstance(value, int | float)
            and not isinstance(value, bool)
            and finite(value) is None
        )
        if too_large:
            raise serializers.ValidationError(
                _("These values are too large to score: %(codes)s.")
                % {"codes": ", ".join(too_large)}
            )
        return values


class ScoreMessageSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("stable code for programs"))
    zh = serializers.CharField()
    en = serializers.CharField()


class TrialVetoHitSerializer(serializers.Serializer):
    code = serializers.CharField()
    cap_grade = serializers.CharField()
    cap_stars = serializers.IntegerField()


class TrialIndicatorScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField(label=_("rubric kind"))
    value = serializers.JSONField(allow_null=True, label=_("the value as used"))
    points = serializers.FloatField()
    max = serializers.FloatField()
    fraction = serializers.FloatField(allow_null=True)
    missing = serializers.BooleanField()
    not_applicable = serializers.BooleanField()
    invalid = serializers.BooleanField()
    triggered = serializers.BooleanField(label=_("a veto fired"))
    rectify = serializers.BooleanField(label=_("below its rectification threshold"))
    factor = serializers.FloatField(label=_("re-normalisation factor"))
    messages = ScoreMessageSerializer(many=True)
    provenance = serializers.JSONField(label=_("inputs and intermediate numbers"))


class TrialDimensionScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    axis = serializers.CharField()
    parent = serializers.CharField(allow_null=True)
    depth = serializers.IntegerField()
    points = serializers.FloatField()
    max = serializers.FloatField()
    also_points = serializers.FloatField()
    also_max = serializers.FloatField()
    bonus = serializers.FloatField()
    share = serializers.FloatField(allow_null=True)
    dropped = serializers.BooleanField()


class TrialScoreSerializer(serializers.Serializer):
    """The engine's whole result, and how it was reached in words (in the request's language)."""

    framework = serializers.CharField(label=_("framework code"))
    version = serializers.CharField()
    subject_kind = serializers.CharField()
    base = serializers.FloatField()
    bonus = serializers.FloatField()
    deductions = serializers.FloatField()
    total = serializers.FloatField()
    max = serializers.FloatField()
    scale = serializers.FloatField()
    grade = serializers.CharField(allow_null=True)
    stars = serializers.IntegerField(allow_null=True)
    grade_uncapped = serializers.CharField(allow_null=True)
    stars_uncapped = serializers.IntegerField(allow_null=True)
    vetoes = TrialVetoHitSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField())
    not_applicable = serializers.ListField(child=serializers.CharField())
    invalid = serializers.ListField(child=serializers.CharField())
    messages = ScoreMessageSerializer(many=True)
    indicators = TrialIndicatorScoreSerializer(many=True)
    dimensions = TrialDimensionScoreSerializer(many=True)
    language = serializers.ChoiceField(choices=[("zh", "zh"), ("en", "en")])
    explanation = serializers.ListField(child=serializers.CharField())
