"""The dashboard's explained figures: a score that opens the explanation panel.

Made here rather than by a template include because a dashboard shows a hundred and more of them
(the heatmap's cells): one include and one URL reversal each took a third of the page's time.
"""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


def _explain_url(context: template.Context, pk: int) -> str:
    """The explanation's address, the URL reversed once per template rendered."""
    prefix = context.render_context.get("dashboards_explain_prefix")
    if prefix is None:
        prefix = reverse("dashboards:explain_rollup", args=[0]).removesuffix("0/")
        context.render_context["dashboards_explain_prefix"] = prefix
    return f"{prefix}{int(pk)}/"


@register.simple_tag(takes_context=True)
def explain(context: template.Context, pk: int | None, value: float | None) -> SafeString:
    """`value` to one decimal, linked to the explanation of roll-up row `pk` when there is one;
    a dash for no value."""
    if not pk:
        if value is None:
            return format_html('<span class="text-body-secondary">–</span>')
        return floatformat(value, 1)
    url = _explain_url(context, pk)
    return format_html(
        '<a href="{}" class="dash-explain" data-explain-url="{}" title="{}">{}</a>',
        url,
        url,
        gettext("How this score was made"),
        "–" if value is None else floatformat(value, 1),
    )
