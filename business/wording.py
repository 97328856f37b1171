"""The effectiveness analysis in words, translated: one sentence per coefficient, the same on the
page, in the term report and over the API (which gives the numbers beside it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import claims as claims_module
from .statistics import Correlation


def _strength_words() -> dict[str | None, str]:
    return {
        "very weak": _("very weak"),
        "weak": _("weak"),
        "moderate": _("moderate"),
        "strong": _("strong"),
        "very strong": _("very strong"),
    }


def number(value: float) -> str:
    """A coefficient with two decimals and a true minus sign."""
    return f"{value:.2f}".replace("-", "−")


def coefficient_name(symbol: str) -> str:
    return _("Spearman's ρ") if symbol == "ρ" else _("Pearson's r")


def _with_interval(symbol: str, value: float, interval) -> str:
    """ "ρ = 0.42 (95% interval 0.08 to 0.68)", or without an interval when there is none."""
    if interval is None:
        return _("%(symbol)s = %(value)s (no interval: the values hardly vary)") % {
            "symbol": symbol,
            "value": number(value),
        }
    return _("%(symbol)s = %(value)s (95%% interval %(low)s to %(high)s)") % {
        "symbol": symbol,
        "value": number(value),
        "low": number(interval.low),
        "high": number(interval.high),
    }


def describe_correlation(correlation: Correlation) -> str:
    """A correlation in words: "ρ = 0.42 (95% interval 0.08 to 0.68), n = 24: a clear moderate
    positive correlation.", or why there is no coefficient."""
    if correlation.too_few:
        return _(
            "Too few units (n = %(n)d; at least %(min)d are needed): no coefficient is given."
        ) % {"n": correlation.n, "min": correlation.min_pairs}
    if correlation.headline is None:
        return _("No correlation can be computed: the values do not vary (n = %(n)d).") % {
            "n": correlation.n
        }
    values = {
        "figure": _with_interval(
            correlation.headline_symbol, correlation.headline, correlation.headline_interval
        ),
        "n": correlation.n,
        "strength": _strength_words()[correlation.strength],
    }
    if correlation.verdict == "clear" and correlation.direction == "positive":
        return _("%(figure)s, n = %(n)d: a clear %(strength)s positive correlation.") % values
    if correlation.verdict == "clear" and correlation.direction == "negative":
        return _("%(figure)s, n = %(n)d: a clear %(strength)s negative correlation.") % values
    return _("%(figure)s, n = %(n)d: unclear, the interval includes 0.") % values


def describe_other(correlation: Correlation) -> str:
    """The coefficient beside the headline, with its interval; "" when there is none."""
    if correlation.too_few or correlation.other is None:
        return ""
    return _("Beside it: %(name)s, %(figure)s.") % {
        "name": coefficient_name(correlation.other_symbol),
        "figure": _with_interval(
            correlation.other_symbol, correlation.other, correlation.other_interval
        ),
    }


def headline_note(measure) -> str:
    """Which coefficient leads for a measure, and why."""
    if measure.ordinal:
        return _("A grade (ordered levels): the headline is Spearman's rank correlation ρ.")
    return _("A continuous figure: the headline is Pearson's r.")


def cell(correlation: Correlation | None) -> dict[str, Any]:
    """One cell of a table of coefficients: the headline, its interval, n and the verdict."""
    if correlation is None:
        return {"text": "—", "n": 0, "verdict": None}
    if correlation.too_few or correlation.headline is None:
        return {"text": "—", "n": correlation.n, "verdict": None}
    interval = correlation.headline_interval
    text = number(correlation.headline)
    if interval is not None:
        text += f" [{number(interval.low)}, {number(interval.high)}]"
    return {"text": text, "n": correlation.n, "verdict": correlation.verdict}


def growth_text(growth: claims_module.Growth | None) -> str:
    """ "21.3% a year, 2023–2025 (compound)", or a dash."""
    if growth is None:
        return "—"
    if growth.method == "compound":
        return _("%(percent)s%% a year, %(first)d–%(last)d (compound)") % {
            "percent": f"{growth.percent:.1f}",
            "first": growth.first,
            "last": growth.last,
        }
    return _("%(percent)s%% a year, %(first)d–%(last)d (mean of %(n)d yearly rates)") % {
        "percent": f"{growth.percent:.1f}",
        "first": growth.first,
        "last": growth.last,
        "n": growth.years,
    }
