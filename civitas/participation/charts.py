"""Charts drawn on the server as SVG: no JavaScript, no style attributes, a title and description
for screen readers, and always shown beside a table of the same numbers.

Colours are the design system's palette, set with SVG presentation attributes (``fill``), which a
strict Content-Security-Policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE, GREEN, RED, GREY = "#1d70b8", "#00703c", "#d4351c", "#505a5f"
GROUP_COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d53880", "#28a197", "#b58840"]
INK, LIGHT = "#0b0c0c", "#b1b4b6"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str = BLUE


def _number(value: float, unit: str = "") -> str:
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"
    return f"{text}{unit}"


def _open(ident: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="civitas-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="14">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    ident: str,
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    highlight: Sequence[bool] | None = None,
) -> SafeString:
    """Horizontal bars, one group per label and one bar per series; negative values go left.

    Drawn 560 units wide: about its size in half of a page column, so the text stays legible.
    """
    label_width, width, bar, gap = 200, 560, 18, 10
    plot = width - label_width - 70
    group_height = bar * len(series) + gap
    legend = 26 if len(series) > 1 else 0
    height = legend + group_height * max(len(labels), 1) + 10
    values = [v for s in series for v in s.values] or [0]
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span = (high - low) or 1.0
    zero = label_width + plot * (-low / span)
    out = _open(ident, title, description, width, height)
    if legend:
        x = label_width
        for s in series:
            out.append(f'<rect x="{x}" y="4" width="14" height="14" fill="{s.colour}"/>')
            out.append(f'<text x="{x + 20}" y="16" fill="{INK}">{escape(s.name)}</text>')
            x += 30 + 8 * len(s.name)  # roughly the legend text's width
    for i, label in enumerate(labels):
        top = legend + i * group_height
        weight = ' font-weight="bold"' if highlight and highlight[i] else ""
        out.append(
            f'<text x="{label_width - 8}" y="{top + group_height / 2 + 2:.1f}" '
            f'text-anchor="end" fill="{INK}" font-size="12"{weight}>'
            f"<title>{escape(label)}</title>{escape(_truncate(label, 26))}</text>"
        )
        for j, s in enumerate(series):
            value = float(s.values[i])
            length = plot * abs(value) / span
            x = zero if value >= 0 else zero - length
            y = top + j * bar
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(length, 0.5):.1f}" '
                f'height="{bar - 3}" fill="{s.colour}"/>'
            )
            if value == 0 and len(series) > 1:
                continue  # an empty bar among others needs no "0" label
            text_x = x + length + 4 if value >= 0 else x - 4
            anchor = "start" if value >= 0 else "end"
            out.append(
                f'<text x="{text_x:.1f}" y="{y + bar - 6}" text-anchor="{anchor}" '
                f'fill="{INK}" font-size="12">{escape(_number(value, unit))}</text>'
            )
    out.append(
        f'<line x1="{zero:.1f}" y1="{legend}" x2="{zero:.1f}" y2="{height - 6}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def column_chart(
    ident: str,
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    colour: str = BLUE,
) -> SafeString:
    """Vertical columns, e.g. the answers on a 1-to-5 scale."""
    width, height, bottom, top = 520, 240, 30, 20
    count = max(len(values), 1)
    slot = (width - 20) / count
    peak = max([*values, 1])
    out = _open(ident, title, description, width, height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - bottom - top) * value / peak
        x = 10 + i * slot + slot * 0.15
        y = height - bottom - h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{max(h, 0.5):.1f}" '
            f'fill="{colour}"/>'
        )
        out.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="{INK}" font-size="12">{escape(_number(value))}</text>'
        )
        out.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 10}" text-anchor="middle" '
            f'fill="{INK}">{escape(_truncate(label, 14))}</text>'
        )
    out.append(
        f'<line x1="10" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        f'stroke="{INK}"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    group: int  # -1: not placed in a group
    is_you: bool = False


def opinion_map(
    ident: str,
    *,
    title: str,
    description: str,
    points: Sequence[Point],
    group_names: Sequence[str],
    you_label: str = "",
) -> SafeString:
    """Participants as dots in the plane of the two main opinion axes, coloured by group."""
    size, margin = 520, 30
    xs = [p.x for p in points] or [0.0]
    ys = [p.y for p in points] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = (size - 2 * margin) / span

    def place(x: float, y: float) -> tuple[float, float]:
        return size / 2 + (x - cx) * scale, size / 2 - (y - cy) * scale

    out = _open(ident, title, description, size, size + 30 + 22 * len(group_names))
    out.append(
        f'<rect x="0.5" y="0.5" width="{size - 1}" height="{size - 1}" fill="none" '
        f'stroke="{LIGHT}"/>'
    )
    you = None
    for p in points:
        x, y = place(p.x, p.y)
        colour = GROUP_COLOURS[p.group % len(GROUP_COLOURS)] if p.group >= 0 else LIGHT
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}" fill-opacity="0.75"/>')
        if p.is_you:
            you = (x, y)
    if you is not None:
        out.append(
            f'<circle cx="{you[0]:.1f}" cy="{you[1]:.1f}" r="9" fill="none" '
            f'stroke="{INK}" stroke-width="3"/>'
        )
        out.append(
            f'<text x="{you[0] + 12:.1f}" y="{you[1] + 5:.1f}" fill="{INK}" '
            f'font-weight="bold">{escape(you_label)}</text>'
        )
    for i, name in enumerate(group_names):
        y = size + 24 + 22 * i
        out.append(
            f'<circle cx="16" cy="{y - 5}" r="7" fill="{GROUP_COLOURS[i % len(GROUP_COLOURS)]}"/>'
        )
        out.append(f'<text x="30" y="{y}" fill="{INK}">{escape(name)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
