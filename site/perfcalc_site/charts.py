"""Draw perfcalc chart data as SVG, at build time and in the browser's worker.

The same pure-Python code draws the pre-rendered chart at build time and
redraws it under Pyodide as the reader types, so it has to be fast there: a
redraw runs between two keystrokes. A line chart needs little: axes with
round ticks, polylines, dots, a legend. Doing it here (rather than with a
charting library) keeps a redraw to a few milliseconds and a few dozen
elements, and gives an SVG that

- carries no script, no ``<style>`` and no ``style=`` attribute (the
  site's content security policy allows neither), only classes that
  ``perfcalc.css`` colours from the theme, in light and dark schemes;
- is byte-identical for identical data (no generated ids), so a rebuild
  changes only the charts whose numbers changed;
- asks no other origin for anything.

The chart is decoration for sighted readers: the figure's caption, written
from the same numbers by ``perfcalc.charts``, is its text alternative.
"""

from __future__ import annotations

import html
import math

# The drawing's own coordinate system; the SVG scales to the column width.
WIDTH, HEIGHT = 720, 330
LEFT, RIGHT, TOP, BOTTOM = 70, 36, 14, 78  # room for tick labels, axis titles and the legend
RIGHT_WITH_AXIS = 76  # the right margin when a second y axis needs its tick labels and title there
TICKS = 6  # about this many ticks per axis


def _format(x: float) -> str:
    """A tick label: short, with thousands separated (2,500; 1.2M; 0.05)."""
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten.

    >>> nice_ticks(0, 98)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(0, 2330)
    [0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0]
    >>> nice_ticks(5, 5)  # one value: a little room either side
    [4.0, 4.5, 5.0, 5.5, 6.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high - low <= 1e-9 * max(abs(low), abs(high)) or high - low < 1e-300:  # one value, to float precision
        pad = abs(low) * 0.2 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999)
    first = math.floor(low / step)
    if first * step > low:  # low / step rounded up to a whole number
        first -= 1
    ticks = []
    for k in range(4 * count):  # the loop ends within count + 2 steps; the bound only guards against a bug
        value = (first + k) * step
        ticks.append(value + 0.0)
        if value >= high:
            break
    return ticks


def _log_ticks(low: float, high: float) -> list[float]:
    """Whole decades of log10(x) covering [low, high] (the axis is drawn in log10 units)."""
    first, last = math.floor(low), math.ceil(high)
    if last == first:
        last += 1
    step = max(1, math.ceil((last - first) / (TICKS - 1)))
    return [float(d) for d in range(first, last + 1, step)]


def _n(x: float) -> str:
    """A coordinate, to a tenth of a unit: plenty for a 720-wide drawing, and short."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _series(chart) -> list:
    """Each series with its finite points, x on the log scale for a log axis."""
    series = []
    for s in chart.series:
        points = [(float(x), float(y)) for x, y in s.points if y is not None and math.isfinite(float(y))]
        if chart.x_log:
            points = [(math.log10(x), y) for x, y in points if x > 0]
        series.append((s, points))
    return series


def _y_ticks(series, axis: str) -> list[float]:
    ys = [y for s, points in series if getattr(s, "axis", "left") == axis for _, y in points] or [0.0, 1.0]
    return nice_ticks(min(0.0, min(ys)), max(ys))


def _legend(series, left: float, right: float, top: float) -> tuple[list[str], float]:
    """One swatch and name per series, in rows under the x-axis title: the elements and the last row's baseline.

    A name takes about 6.6 units a character at the legend's 12 px; a row
    that would pass the plot's right edge starts a new one below.
    """
    out, x, y = [], left + 8, top
    for index, (s, _) in enumerate(series):
        width = 24 + 6.6 * len(s.name) + 18
        if x + width > right + 30 and x > left + 8:
            x, y = left + 8, y + 18
        kind = f"pc-chart__series pc-chart__series--{_colour(s, index)}"
        if s.kind == "points":
            out.append(f'<circle class="{kind} pc-chart__dot" cx="{_n(x + 9)}" cy="{_n(y - 4)}" r="5"/>')
        else:
            out.append(f'<line class="{kind} {_line(s)}" x1="{_n(x)}" x2="{_n(x + 18)}" y1="{_n(y - 4)}" '
                       f'y2="{_n(y - 4)}"/>')
        out.append(f'<text class="pc-chart__legend" x="{_n(x + 24)}" y="{_n(y)}">{html.escape(s.name)}</text>')
        x += width
    return out, y


def _colour(s, index: int) -> int:
    colour = getattr(s, "colour", None)
    return index if colour is None else colour


def _line(s) -> str:
    return "pc-chart__line pc-chart__line--dashed" if s.kind == "dashed" else "pc-chart__line"


def render_svg(chart) -> str:
    """The chart as an inline SVG string: axes, ticks, one polyline or dots per series, a legend.

    A series read on the right axis (``axis="right"``) gets its own scale,
    ticks on the right and the chart's ``y2_label``; a ``dashed`` series (a
    bound) is drawn dashed; ``colour`` pairs a series with another's colour.
    """
    series = _series(chart)
    xs = [x for _, points in series for x, _ in points] or [0.0, 1.0]
    x_ticks = _log_ticks(min(xs), max(xs)) if chart.x_log else nice_ticks(min(0.0, min(xs)), max(xs))
    right_axis = any(getattr(s, "axis", "left") == "right" for s in chart.series)
    plot_right = WIDTH - (RIGHT_WITH_AXIS if right_axis else RIGHT)
    y_ticks = {"left": _y_ticks(series, "left"), "right": _y_ticks(series, "right")}
    x0, x1 = x_ticks[0], x_ticks[-1]
    plot_w, plot_h = plot_right - LEFT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h

    def px(x):
        return LEFT + (x - x0) / (x1 - x0) * plot_w

    def py(y, axis="left"):
        ticks = y_ticks[axis]
        return TOP + plot_h - (y - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    legend, baseline = _legend(series, LEFT, plot_right, HEIGHT - 12)
    height = baseline + 12
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" class="pc-chart" '
           f'focusable="false">']
    for y in y_ticks["left"]:
        out.append(f'<line class="pc-chart__grid" x1="{LEFT}" x2="{plot_right}" y1="{_n(py(y))}" y2="{_n(py(y))}"/>')
        out.append(f'<text class="pc-chart__tick" x="{LEFT - 8}" y="{_n(py(y) + 4)}" text-anchor="end">{_format(y)}</text>')
    if right_axis:
        for y in y_ticks["right"]:
            out.append(f'<text class="pc-chart__tick" x="{plot_right + 8}" y="{_n(py(y, "right") + 4)}" '
                       f'text-anchor="start">{_format(y)}</text>')
        out.append(f'<line class="pc-chart__axis" x1="{plot_right}" x2="{plot_right}" y1="{TOP}" y2="{bottom}"/>')
        out.append(f'<text class="pc-chart__title" transform="translate({WIDTH - 14} {TOP + plot_h / 2:.0f}) '
                   f'rotate(90)" text-anchor="middle">{html.escape(chart.y2_label)}</text>')
    for x in x_ticks:
        label = _format(10 ** x) if chart.x_log else _format(x)
        out.append(f'<line class="pc-chart__axis" x1="{_n(px(x))}" x2="{_n(px(x))}" y1="{bottom}" y2="{bottom + 5}"/>')
        out.append(f'<text class="pc-chart__tick" x="{_n(px(x))}" y="{bottom + 19}" text-anchor="middle">{label}</text>')
    out.append(f'<line class="pc-chart__axis" x1="{LEFT}" x2="{plot_right}" y1="{bottom}" y2="{bottom}"/>')
    out.append(f'<line class="pc-chart__axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}"/>')
    out.append(f'<text class="pc-chart__title" x="{LEFT + plot_w / 2:.0f}" y="{bottom + 38}" text-anchor="middle">'
               f'{html.escape(chart.x_label)}</text>')
    out.append(f'<text class="pc-chart__title" transform="translate(16 {TOP + plot_h / 2:.0f}) rotate(-90)" '
               f'text-anchor="middle">{html.escape(chart.y_label)}</text>')
    for index, (s, points) in enumerate(series):
        kind = f"pc-chart__series pc-chart__series--{_colour(s, index)}"
        axis = getattr(s, "axis", "left")
        if s.kind == "points":
            out += [f'<circle class="{kind} pc-chart__dot" cx="{_n(px(x))}" cy="{_n(py(y, axis))}" r="5"/>'
                    for x, y in points]
        elif points:
            path = " ".join(f"{_n(px(x))},{_n(py(y, axis))}" for x, y in points)
            out.append(f'<polyline class="{kind} {_line(s)}" points="{path}"/>')
    out += legend
    out.append("</svg>")
    return "".join(out)


def render_figure(chart, form_id: str) -> str:
    """A <figure>: the SVG, hidden from assistive tech, and the text alternative as its caption."""
    svg = render_svg(chart)
    return (
        f'<figure class="perfcalc__chart" aria-labelledby="{form_id}-chart-caption">'
        f'<div class="perfcalc__chart-svg" aria-hidden="true">{svg}</div>'
        f'<figcaption id="{form_id}-chart-caption"><strong>{html.escape(chart.title)}.</strong> '
        f"{html.escape(chart.description)}</figcaption></figure>"
    )
