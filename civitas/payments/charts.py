"""Bar charts drawn on the server as SVG: they read without JavaScript, carry a title and a
description for screen readers, and every chart is shown with its data table next to it.

Colours are SVG presentation attributes (no ``style`` attributes), so a strict CSP allows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1d70b8"  # GOV.UK blue: contrast 5.2:1 on white
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | Decimal
    note: str = ""  # shown after the value, e.g. "12%"


def _number(value) -> str:
    number = float(value)
    return f"{number:,.0f}" if number == int(number) or abs(number) >= 100 else f"{number:,.1f}"


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, chart_id: str) -> SafeString:
    """A horizontal bar chart, one bar per row; labels on the left, values at the end of bars."""
    row, label_width, plot_width, pad = 28, 190, 360, 8
    height = max(len(bars), 1) * row + 2 * pad
    width = label_width + plot_width + 90
    top = max((float(b.value) for b in bars), default=0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="civitas-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{label_width}" y1="{pad}" x2="{label_width}" y2="{height - pad}" '
        f'stroke="{GRID}" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        y = pad + index * row
        length = 0 if float(bar.value) <= 0 else max(1.0, plot_width * float(bar.value) / top)
        shown = _number(bar.value) + (f" · {bar.note}" if bar.note else "")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row / 2 + 4:.0f}" text-anchor="end" '
            f'font-size="13" fill="{TEXT}">{escape(bar.label[:28])}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" '
            f'fill="{BAR}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + row / 2 + 4:.0f}" font-size="13" '
            f'fill="{TEXT}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
