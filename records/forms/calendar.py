"""The calendar page's query string: ``?org=&year=&kind=``."""

from django import forms

from core.filters import IdField

from .query import QueryForm

FIRST_YEAR = 2000
LAST_YEAR = 2100


class CalendarForm(QueryForm):
    """The organization (in the user's scope), the year and, for the organizations below, the
    meeting kind (a code of the year's framework)."""

    org = IdField(required=False)
    year = forms.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    kind = forms.SlugField(required=False, max_length=40)
    view = forms.ChoiceField(required=False, choices=[("own", "own"), ("below", "below")])
