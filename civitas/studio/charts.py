"""Server-side SVG charts of a simulation: one bar per group, gains to the right of the axis and
losses to the left. No JavaScript, no style attributes (strict CSP); each chart is shown beside
its data table."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

GAIN, LOSS, TEXT, GRID = "#00703c", "#d4351c", "#0b0c0c", "#b1b4b6"


def difference_chart(groups: list[dict], *, title: str, chart_id: str) -> SafeString:
    row, label_w, plot_w, pad = 26, 110, 420, 8
    height = max(len(groups), 1) * row + 2 * pad
    width = label_w + plot_w + 20
    top = max((abs(float(g["difference"])) for g in groups), default=0) or 1.0
    has_loss = any(float(g["difference"]) < 0 for g in groups)
    axis = label_w + (plot_w / 2 if has_loss else 0)
    span = plot_w / 2 if has_loss else plot_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{axis:.1f}" y1="{pad}" x2="{axis:.1f}" y2="{height - pad}" stroke="{GRID}"/>',
    ]
    for i, group in enumerate(groups):
        y = pad + i * row
        value = float(group["difference"])
        length = span * abs(value) / top
        x = axis if value >= 0 else axis - length
        colour = GAIN if value >= 0 else LOSS
        parts.append(
            f'<text x="{label_w - 6}" y="{y + row / 2 + 4:.0f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(str(group["group"]))}</text>'
            f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{colour}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
