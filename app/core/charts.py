"""Accessible charts as server-side SVG, for pages and PDF exports.

Hand-written on purpose: charting libraries that emit SVG (pygal, for one) style their output
with an inline ``<style>`` block or ``style=`` attributes, which the app's Content-Security-Policy
(``style-src 'self'``) blocks, so their charts would render unstyled. These charts use only
presentation attributes (``fill=``, ``stroke=``, ``stroke-width=``, ``font-size=``), no scripts,
and escape every piece of text.

Each chart is ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``;
every point or bar carries its own ``<title>`` with its value. A chart never stands alone:
pages show the same numbers in a data table next to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from markupsafe import Markup, escape

Number = Decimal | int | float

INK = "#1b1b1b"
GRID = "#dfe1e2"
SERIES = "#005ea2"
TARGET = "#00794a"
BASELINE = "#71767a"
# USWDS colours with at least 3:1 contrast on white and told apart by lightness as well as hue.
PALETTE = ("#005ea2", "#e66f0e", "#1a4480", "#4d8055", "#8168b3", "#936f38")
# Public Sans first: the print renderer has it bundled (no system fallback); browsers without it use the next.
FONT = 'font-family="Public Sans, Source Sans Pro Web, Helvetica Neue, Arial, sans-serif"'

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 24, 20, 44
TICK_COUNT = 5
MAX_X_LABELS = 6


@dataclass(frozen=True)
class _Frame:
    """The plotting area inside the margins and the value range it shows."""

    width: int
    height: int
    low: Decimal
    high: Decimal
    top: int = MARGIN_TOP

    @property
    def left(self) -> int:
        return MARGIN_LEFT

    @property
    def right(self) -> int:
        return self.width - MARGIN_RIGHT

    @property
    def bottom(self) -> int:
        return self.height - MARGIN_BOTTOM

    def y(self, value: Number) -> float:
        share = (Decimal(str(value)) - self.low) / (self.high - self.low)
        return self.bottom - float(share) * (self.bottom - self.top)


def format_number(value: Number) -> str:
    """1250.5 → "1,250.5"; no exponent, no trailing zeros."""
    text = f"{Decimal(str(value)).normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value: Number, unit: str) -> str:
    number = format_number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def nice_ticks(low: Number, high: Number, count: int = TICK_COUNT) -> list[Decimal]:
    """Round tick values (steps of 1, 2 or 5 × 10ⁿ) covering low..high, at most about ``count`` + 1."""
    lo, hi = Decimal(str(low)), Decimal(str(high))
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) / 10 if lo else Decimal(1)
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    magnitude = Decimal(10) ** raw.adjusted()
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = (lo / step).to_integral_value(rounding=ROUND_FLOOR) * step
    ticks = [first]
    while ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def _chart_id(title: str, description: str) -> str:
    return "chart-" + hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:10]


def _open_svg(*, chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg role="img" class="maxw-full height-auto" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 12, fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{escape(text)}</text>'
    )


def _y_axis(frame: _Frame, ticks: Sequence[Decimal], unit: str) -> list[str]:
    parts = ['<g aria-hidden="true">']
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(frame.left - 8, y + 4, with_unit(tick, unit), anchor="end"))
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{frame.bottom}" stroke="{INK}" '
        f'stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}" stroke="{INK}" '
        f'stroke-width="1"/>'
    )
    parts.append("</g>")
    return parts


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _x_positions(days: Sequence[date], frame: _Frame) -> list[float]:
    first, last = min(days), max(days)
    span = (last - first).days
    if span == 0:
        return [(frame.left + frame.right) / 2 for _ in days]
    return [frame.left + (d - first).days / span * (frame.right - frame.left) for d in days]


def _x_labels(days: Sequence[date], xs: Sequence[float], frame: _Frame) -> list[str]:
    """Up to MAX_X_LABELS dates, spread evenly over the points, always including the first and the last."""
    if not days:
        return []
    count = min(len(days), MAX_X_LABELS)
    picks = sorted({round(i * (len(days) - 1) / max(count - 1, 1)) for i in range(count)})
    parts = ['<g aria-hidden="true">']
    for index in picks:
        x = xs[index]
        parts.append(f'<line x1="{x:.1f}" y1="{frame.bottom}" x2="{x:.1f}" y2="{frame.bottom + 5}" stroke="{INK}"/>')
        parts.append(_text(x, frame.bottom + 20, _day_label(days[index])))
    parts.append("</g>")
    return parts


def _reference_line(frame: _Frame, value: Number, *, label: str, colour: str, dashes: str) -> list[str]:
    y = frame.y(value)
    return [
        f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" stroke="{colour}" stroke-width="2" '
        f'stroke-dasharray="{dashes}"><title>{escape(label)}</title></line>',
        _text(frame.right, y - 5, label, anchor="end", size=11, fill=colour),
    ]


def line_chart(
    points: Sequence[tuple[date, Number]],
    *,
    title: str,
    description: str,
    unit: str,
    target: Number | None = None,
    baseline: Number | None = None,
    width: int = 640,
    height: int = 280,
    chart_id: str | None = None,
) -> Markup:
    """A time series as a line with a marker per point, plus dashed target and dotted baseline lines."""
    points = sorted(points, key=lambda point: point[0])
    values = [Decimal(str(v)) for _, v in points] + [Decimal(str(v)) for v in (target, baseline) if v is not None]
    ticks = nice_ticks(min(values, default=0), max(values, default=1))
    frame = _Frame(width=width, height=height, low=ticks[0], high=ticks[-1])
    chart_id = chart_id or _chart_id(title, description)
    parts = _open_svg(chart_id=chart_id, title=title, description=description, width=width, height=height)
    parts += _y_axis(frame, ticks, unit)
    if baseline is not None:
        parts += _reference_line(
            frame, baseline, label=f"Baseline {with_unit(baseline, unit)}", colour=BASELINE, dashes="2 4"
        )
    if target is not None:
        parts += _reference_line(frame, target, label=f"Target {with_unit(target, unit)}", colour=TARGET, dashes="8 5")
    if points:
        parts += _series(points, frame, unit)
    else:
        parts.append(_text((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2, "No measurements yet"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _series(points: Sequence[tuple[date, Number]], frame: _Frame, unit: str) -> list[str]:
    days = [day for day, _ in points]
    xs = _x_positions(days, frame)
    ys = [frame.y(value) for _, value in points]
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    parts = [f'<polyline points="{coordinates}" fill="none" stroke="{SERIES}" stroke-width="2"/>']
    for (day, value), x, y in zip(points, xs, ys, strict=True):
        label = f"{_day_label(day)}: {with_unit(value, unit)}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{SERIES}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(label)}</title></circle>"
        )
    return parts + _x_labels(days, xs, frame)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    description: str,
    unit: str,
    stacked: bool = False,
    width: int = 640,
    height: int = 280,
    chart_id: str | None = None,
) -> Markup:
    """Bars per category, one per series side by side (grouped) or on top of each other (``stacked``).

    ``series`` is ``[(name, values)]`` with one value per category, for example
    ``[("Capital", [120, 80]), ("Operating", [40, 45])]`` for ``["FY2027", "FY2028"]``.
    Stacked bars need values of zero or more.
    """
    _check_bar_input(categories, series, stacked=stacked)
    chart_id = chart_id or _chart_id(title, description)
    low, high = _bar_range(series, stacked=stacked)
    ticks = nice_ticks(low, high)
    frame = _Frame(width=width, height=height, low=ticks[0], high=ticks[-1], top=MARGIN_TOP + 20)
    parts = _open_svg(chart_id=chart_id, title=title, description=description, width=width, height=height)
    parts += _y_axis(frame, ticks, unit)
    parts += _legend(series, frame)
    band = (frame.right - frame.left) / max(len(categories), 1)
    for index, category in enumerate(categories):
        x = frame.left + index * band
        parts += _bars(category, [(name, values[index]) for name, values in series], x, band, frame, unit, stacked)
        parts.append(_text(x + band / 2, frame.bottom + 20, category))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _check_bar_input(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]], *, stacked: bool
) -> None:
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
        if stacked and any(Decimal(str(v)) < 0 for v in values):
            raise ValueError(f"stacked bars need values of zero or more; series {name!r} has a negative value")


def _bar_range(series: Sequence[tuple[str, Sequence[Number]]], *, stacked: bool) -> tuple[Decimal, Decimal]:
    """The value range to show, always including zero (bars grow from zero)."""
    columns = list(zip(*(values for _, values in series), strict=True)) if series else []
    if stacked:
        heights = [sum((Decimal(str(v)) for v in column), Decimal(0)) for column in columns]
    else:
        heights = [Decimal(str(v)) for column in columns for v in column]
    return min([Decimal(0), *heights]), max([Decimal(0), *heights]) or Decimal(1)


def _bars(
    category: str,
    values: Sequence[tuple[str, Number]],
    x: float,
    band: float,
    frame: _Frame,
    unit: str,
    stacked: bool,
) -> list[str]:
    inner = band * 0.7
    bar_width = inner if stacked else inner / max(len(values), 1)
    start = x + (band - inner) / 2
    parts, running = [], Decimal(0)
    for index, (name, value) in enumerate(values):
        amount = Decimal(str(value))
        base = running if stacked else Decimal(0)
        top_y, base_y = frame.y(base + amount), frame.y(base)
        left = start if stacked else start + index * bar_width
        y, h = min(top_y, base_y), abs(base_y - top_y)
        label = f"{category}, {name}: {with_unit(amount, unit)}"
        parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[index % len(PALETTE)]}" stroke="#ffffff" stroke-width="1">'
            f"<title>{escape(label)}</title></rect>"
        )
        running += amount if stacked else 0
    return parts


def _legend(series: Sequence[tuple[str, Sequence[Number]]], frame: _Frame) -> list[str]:
    parts, x = ['<g aria-hidden="true">'], float(frame.left)
    for index, (name, _) in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>')
        parts.append(_text(x + 18, 16, name, anchor="start"))
        x += 30 + 7 * len(name)
    parts.append("</g>")
    return parts
