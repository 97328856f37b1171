"""Reading a page's query string with a form."""

from typing import Any

from django import forms


class QueryForm(forms.Form):
    """A page's query string read field by field: a missing or garbled value counts as not
    given, and the others still apply."""

    def chosen(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                values[name] = field.clean(self.data.get(name)) or None
            except forms.ValidationError:
                values[name] = None
        return values
