"""Draw perfcalc chart data as SVG with pygal, at build time and in the browser.

pygal is pure Python, so the same code draws the pre-rendered chart at build
time and redraws it under Pyodide as the reader types. Its SVG embeds a
config <script> and credits in comments; both are stripped, and no script
URL is configured, so the chart never asks another origin for anything.
"""

from __future__ import annotations

import html
import re

import pygal
from pygal.style import Style

# Transparent backgrounds and mid-grey text read on Material's light and dark schemes.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#8a8a8a",
    foreground_strong="#8a8a8a",
    foreground_subtle="rgba(138, 138, 138, 0.25)",
    opacity=".9",
    opacity_hover="1",
    colors=("#5c6bc0", "#ffa000", "#e53935", "#43a047", "#8e24aa"),
    font_family="inherit",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=13,
    guide_stroke_dasharray="1,5",
    major_guide_stroke_dasharray="1,5",
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _format(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def render_svg(chart) -> str:
    """The chart as an inline SVG string, with no script and no outside reference."""
    plot = pygal.XY(
        js=[],
        style=STYLE,
        disable_xml_declaration=True,
        explicit_size=False,
        width=720,
        height=340,
        show_dots=False,
        dots_size=5,
        stroke_style={"width": 2.5},
        x_title=chart.x_label,
        y_title=chart.y_label,
        logarithmic=False,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(chart.series),
        truncate_legend=-1,
        x_value_formatter=_format,
        value_formatter=_format,
        show_x_guides=False,
        include_x_axis=True,
        x_labels_major_count=6,
        show_minor_x_labels=False,
        y_labels_major_count=6,
        show_minor_y_labels=False,
        print_values=False,
        interpolate=None,
        no_data_text="",
    )
    for s in chart.series:
        points = [(float(x), float(y)) for x, y in s.points if y is not None]
        if chart.x_log:  # pygal's XY log axis is on y only: plot log10(x), label it back
            import math
            points = [(math.log10(x), y) for x, y in points if x > 0]
        if s.kind == "points":
            plot.add(s.name, points, stroke=False, show_dots=True, dots_size=6)
        else:
            plot.add(s.name, points)
    if chart.x_log:
        plot.config.x_value_formatter = lambda u: _format(10 ** u)
    svg = plot.render(is_unicode=True)
    return _COMMENT.sub("", _SCRIPT.sub("", svg))


def render_figure(chart, form_id: str) -> str:
    """A <figure>: the SVG, hidden from assistive tech, and the text alternative as its caption."""
    svg = render_svg(chart)
    return (
        f'<figure class="perfcalc__chart" aria-labelledby="{form_id}-chart-caption">'
        f'<div class="perfcalc__chart-svg" aria-hidden="true">{svg}</div>'
        f'<figcaption id="{form_id}-chart-caption"><strong>{html.escape(chart.title)}.</strong> '
        f"{html.escape(chart.description)}</figcaption></figure>"
    )
