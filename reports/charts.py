"""Charts for the PDF as inline SVG: WeasyPrint runs no JavaScript, so they are drawn here.

Pure functions of numbers and labels, no Django: a line chart of series over periods and a bar
chart of labelled values, each with its axis labels. Missing values (None) leave a gap.
"""

from collections.abc import Sequence
from html import escape

PALETTE = ("#b22222", "#1f4e79", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037")
# The PDF's own font (reports.fonts.FAMILY), or the machine's fonts would draw the labels.
FONT = "font-family='Partybuild Report Sans, sans-serif'"


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    maximum: float,
    width: int = 640,
    height: int = 240,
) -> str:
    """Lines of `series` (name, one value per label) on a 0..maximum scale, with a legend."""
    left, right, top, bottom = 40, 12, 12, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    maximum = maximum or 1
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {FONT} font-size='10'>"
    ]
    for step in range(5):
        value = maximum * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#ddd'/>"
            f"<text x='{left - 4}' y='{y + 3:.1f}' text-anchor='end' fill='#555'>"
            f"{_fmt(value)}</text>"
        )
    count = len(labels)

    def x_of(index: int) -> float:
        return left + (plot_w * (index + 0.5) / count if count else 0)

    for index, label in enumerate(labels):
        parts.append(
            f"<text x='{x_of(index):.1f}' y='{top + plot_h + 14}' text-anchor='middle' "
            f"fill='#333'>{escape(label)}</text>"
        )
    for number, (name, values) in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        points: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(values):
            if value is None:
                if points:
                    segments.append(points)
                points = []
                continue
            y = top + plot_h - plot_h * max(0.0, min(value, maximum)) / maximum
            points.append(f"{x_of(index):.1f},{y:.1f}")
            parts.append(f"<circle cx='{x_of(index):.1f}' cy='{y:.1f}' r='2.5' fill='{color}'/>")
        if points:
            segments.append(points)
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f"<polyline points='{' '.join(segment)}' fill='none' stroke='{color}' "
                    "stroke-width='1.6'/>"
                )
        legend_x = left + (number % 4) * (plot_w / 4)
        legend_y = height - 16 + (number // 4) * 12
        parts.append(
            f"<rect x='{legend_x:.1f}' y='{legend_y - 7}' width='8' height='8' fill='{color}'/>"
            f"<text x='{legend_x + 11:.1f}' y='{legend_y}' fill='#333'>{escape(name)}</text>"
        )
    parts.append(
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - right}' y2='{top + plot_h}' "
        "stroke='#999'/></svg>"
    )
    return "".join(parts)


def bar_chart(
    items: Sequence[tuple[str, float | None]],
    *,
    maximum: float,
    width: int = 640,
    bar_height: int = 14,
) -> str:
    """Horizontal bars, one per (label, value), on a 0..maximum scale; the value written after."""
    label_w, gap, right = 170, 5, 40
    plot_w = width - label_w - right
    maximum = maximum or 1
    height = max(1, len(items)) * (bar_height + gap) + gap
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {FONT} font-size='10'>"
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        short = label if len(label) <= 18 else label[:17] + "…"
        parts.append(
            f"<text x='{label_w - 6}' y='{y + bar_height - 3}' text-anchor='end' fill='#333'>"
            f"{escape(short)}</text>"
        )
        if value is None:
            parts.append(f"<text x='{label_w + 2}' y='{y + bar_height - 3}' fill='#999'>–</text>")
            continue
        length = plot_w * max(0.0, min(value, maximum)) / maximum
        parts.append(
            f"<rect x='{label_w}' y='{y}' width='{length:.1f}' height='{bar_height}' "
            f"fill='{PALETTE[1]}'/>"
            f"<text x='{label_w + length + 4:.1f}' y='{y + bar_height - 3}' fill='#333'>"
            f"{_fmt(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
