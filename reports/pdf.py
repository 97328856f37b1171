"""The PDF of a report: the data laid out by an HTML template, printed by WeasyPrint.

Charts are inline SVG from `charts` (WeasyPrint runs no JavaScript). The text is set in the font
the project ships (`fonts`), and a PDF with any character that font cannot draw is refused. Every
page's footer carries the snapshot's number, the framework version, the SHA-256 of the report's
data and the page number: the file's own SHA-256 cannot be printed inside the file it hashes.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from . import charts, fonts
from .models import Report

CHART_SERIES_MAX = 7


def _stars(count: int | None) -> str:
    return "★" * count + "☆" * (5 - count) if count else "–"


def _decorate(data: dict[str, Any]) -> dict[str, Any]:
    """Per-period lookups and charts the template cannot compute itself."""
    periods = data["periods"]
    labels = [p["name"] for p in periods]
    maximum = max((p["total_points"] for p in periods), default=100)
    names = {p["id"]: p["name"] for p in periods}
    summary = [
        {**row, "period_name": names[row["period"]], "stars_text": _stars(row.get("stars"))}
        for row in data["summary"]
    ]
    latest = next((row for row in reversed(summary) if row.get("score") is not None), None)
    top = [d for d in data["dimensions"] if d["depth"] == 0]
    total_chart = charts.line_chart(
        labels,
        [
            (_("Total"), [row.get("score") for row in summary]),
            (_("Completeness (%)"), _percentages(summary, maximum)),
        ],
        maximum=maximum,
    )
    dimension_chart = charts.line_chart(
        labels,
        [(d["name"], d["scores"]) for d in top[:CHART_SERIES_MAX]],
        maximum=maximum,
    )
    children = []
    for child in data["children"]:
        totals = [
            {
                **row,
                "period_name": names[row["period"]],
                "stars_text": _stars(row.get("stars")),
                "dimension_scores": [dim["scores"][index] for dim in child["dimensions"]],
            }
            for index, row in enumerate(child["totals"])
        ]
        children.append({**child, "totals": totals})
    children_chart = (
        charts.bar_chart(
            [(c["name"], c["totals"][-1].get("score") if c["totals"] else None) for c in children],
            maximum=maximum,
        )
        if children
        else ""
    )
    return {
        "summary": summary,
        "latest": latest,
        "latest_stars": _stars(latest.get("stars")) if latest else "–",
        "total_chart": total_chart,
        "dimension_chart": dimension_chart,
        "children": children,
        "children_chart": children_chart,
        "top_dimensions": [d["name"] for d in top],
        "rectification_items": _with_period_names(data["rectifications"]["items"], names),
        "approval_rows": _with_period_names(data["approvals"]["rows"], names),
        "term_results": _with_period_names((data.get("terms") or {}).get("results", []), names),
    }


def _with_period_names(rows: list[dict[str, Any]], names: dict[int, str]) -> list[dict[str, Any]]:
    return [{**row, "period_name": names.get(row["period"], "")} for row in rows]


def _percentages(summary: list[dict[str, Any]], maximum: float) -> list[float | None]:
    """Completeness drawn on the score axis, so 100 % sits at the top of the chart."""
    return [
        None if row.get("completeness") is None else row["completeness"] * maximum
        for row in summary
    ]


def render_html(report: Report, data: dict[str, Any], data_hash: str) -> str:
    return render_to_string(
        "reports/pdf/report.html",
        {
            "report": report,
            "data": data,
            "data_hash": data_hash,
            "generated_at": timezone.localtime(),
            "font_family": fonts.FAMILY,
            **_decorate(data),
        },
    )


def write_pdf(report: Report, data: dict[str, Any], data_hash: str, path: Path) -> None:
    """Write the PDF at `path`; `fonts.FontError` (and no file) when its font cannot draw it."""
    # Heavy: imported only where a PDF is made.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    font_faces = CSS(string=fonts.font_face_css(), font_config=font_config)
    html = render_html(report, data, data_hash)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[font_faces], font_config=font_config
    )
    document.write_pdf(str(path))
    try:
        fonts.check_document(document)
    except fonts.FontError:
        path.unlink(missing_ok=True)
        raise
