"""The base of the app's forms: widgets that carry Bootstrap's classes."""

from typing import Any

from django import forms


class BootstrapForm(forms.Form):
    """Widgets get Bootstrap's classes, so templates can render fields in a plain loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
