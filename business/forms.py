"""Forms of the business pages: a year's figures of one organization, a new measure, the upload.

Validation of values is the service's (`services.figures`): the figures form only carries what
was typed and the versions read, so the same messages reach the page, the import and the API.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import ImportForm
from organizations.models import ImportBatch

from .choices import Direction, Scale
from .models import BusinessFigure, BusinessMeasure
from .services.figures import YEAR_MAX, YEAR_MIN, shown


class FiguresForm(forms.Form):
    """One field per measure (`m-<code>`) and the version read (`v-<code>`, 0: none)."""

    def __init__(
        self,
        *args: Any,
        measures: list[BusinessMeasure],
        stored: dict[str, BusinessFigure],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.measures = measures
        for measure in measures:
            figure = stored.get(measure.code)
            label = measure.display_name
            if measure.display_unit:
                label = f"{label} ({measure.display_unit})"
            self.fields[f"m-{measure.code}"] = forms.CharField(
                label=label,
                required=False,
                max_length=60,
                initial=shown(figure) or "",
                help_text=_("A, B, C or D") if measure.scale == Scale.GRADE else "",
            )
            self.fields[f"v-{measure.code}"] = forms.IntegerField(
                min_value=0,
                required=False,
                initial=figure.version if figure else 0,
                widget=forms.HiddenInput,
            )

    def values(self) -> dict[str, str]:
        return {m.code: self.cleaned_data.get(f"m-{m.code}", "") for m in self.measures}

    def versions(self) -> dict[str, int]:
        return {m.code: self.cleaned_data.get(f"v-{m.code}") or 0 for m in self.measures}

    def value_fields(self) -> list:
        return [self[f"m-{m.code}"] for m in self.measures]

    def version_fields(self) -> list:
        return [self[f"v-{m.code}"] for m in self.measures]


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


class MeasureForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores: the import's column name."),
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit (Chinese)"), max_length=40, required=False)
    unit_en = forms.CharField(label=_("Unit (English)"), max_length=40, required=False)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices, initial=Scale.NUMBER)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.HIGHER
    )


class FiguresImportForm(ImportForm):
    """The file of figures; its kind is fixed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices, kind.initial = (
            [(ImportBatch.Kind.BUSINESS_FIGURES, ImportBatch.Kind.BUSINESS_FIGURES.label)],
            ImportBatch.Kind.BUSINESS_FIGURES,
        )
        kind.widget = forms.HiddenInput()
