"""Serializers of the business API."""

from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from organizations.api.serializers import OrganizationSummarySerializer

from ..models import BusinessFigure, BusinessMeasure
from ..services.figures import YEAR_MAX, YEAR_MIN, shown


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = BusinessMeasure
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "unit_en",
            "scale",
            "direction",
            "built_in",
            "is_active",
        ]
        read_only_fields = fields


class FigureSerializer(serializers.ModelSerializer):
    """One organization's figure of one measure and year: `value` is the number as text, or the
    grade A–D."""

    organization = OrganizationSummarySerializer(read_only=True)
    measure = serializers.CharField(source="measure.code", read_only=True, label=_lazy("measure"))
    value = serializers.SerializerMethodField(label=_lazy("value"))
    updated_by = serializers.CharField(source="updated_by.username", read_only=True, default=None)

    class Meta:
        model = BusinessFigure
        fields = [
            "id",
            "organization",
            "year",
            "measure",
            "value",
            "note",
            "source",
            "version",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields

    def get_value(self, figure: BusinessFigure) -> str | None:
        return shown(figure)


class FigureChangeSerializer(serializers.Serializer):
    """A change of a figure: the new value (a number, or A–D for a grade) and the `version` you
    read."""

    value = serializers.CharField(max_length=60, label=_lazy("value"))
    version = serializers.IntegerField(min_value=1, label=_lazy("version"))


class FigureCreateSerializer(serializers.Serializer):
    """A new figure: organization id, year, measure code and value."""

    organization = serializers.IntegerField(min_value=1, label=_lazy("organization"))
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, label=_lazy("year"))
    measure = serializers.CharField(max_length=40, label=_lazy("measure"))
    value = serializers.CharField(max_length=60, label=_lazy("value"))
