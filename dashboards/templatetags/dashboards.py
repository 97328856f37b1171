"""The dashboard's explained figures (a score that opens the explanation panel) and addresses.

Made here rather than by a template include because a dashboard shows a hundred and more of them
(the heatmap's cells): one include and one URL reversal each took a third of the page's time.
The dashboards' addresses of the rows likewise (`board_url`).
"""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def _address(context: template.Context, name: str, pk: int) -> str:
    """The address of the view `name` for object `pk`, reversed once per template rendered
    (the views' paths end in ``<int:pk>/``)."""
    key = f"dashboards_prefix:{name}"
    prefix = context.render_context.get(key)
    if prefix is None:
        prefix = context.render_context[key] = reverse(name, args=[0]).removesuffix("0/")
    return f"{prefix}{int(pk)}/"


@register.simple_tag(takes_context=True)
def board_url(context: template.Context, pk: int) -> str:
    """The address of organization `pk`'s dashboard (`{% url %}` once per page, not per row)."""
    return _address(context, "dashboards:organization", pk)


@register.simple_tag(takes_context=True)
def explain(context: template.Context, pk: int | None, value: float | None) -> SafeString:
    """`value` to one decimal, linked to the explanation of roll-up row `pk` when there is one;
    a dash for no value."""
    if not pk:
        if value is None:
            return format_html('<span class="text-body-secondary">–</span>')
        return floatformat(value, 1)
    url = _address(context, "dashboards:explain_rollup", pk)
    return format_html(
        '<a href="{}" class="dash-explain" data-explain-url="{}" title="{}">{}</a>',
        url,
        url,
        gettext("How this score was made"),
        "–" if value is None else floatformat(value, 1),
    )
