"""SVG charts drawn by the server: no JavaScript, no external assets, readable without colour.

One series gives a bar chart; several give a line chart whose series differ by colour, dash
pattern and marker shape, with a legend. The SVG carries a title and a description for
assistive technology; the page shows the same numbers as a table beside it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Dark, mutually distinct colours with at least 4.5:1 contrast on white.
PALETTE = ["#1f4e79", "#a23b12", "#2e6b30", "#6a3d8f", "#7a5a00", "#8c1d40"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square"]

W, H = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 60


@dataclass
class Series:
    name: str
    values: list[float | None]


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step)
    return [i * step for i in range(n + 1)]


def _fmt(v: float, lang: str) -> str:
    text = f"{v:,.0f}" if abs(v) >= 1 or v == 0 else f"{v:g}"
    return text.replace(",", ".") if lang == "id" else text


def _marker(kind: str, x: float, y: float, color: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{color}"/>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" fill="{color}"/>'
    if kind == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" fill="{color}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>'


@dataclass
class _Frame:
    """The geometry of one chart: plot area, value scale and category bands."""

    xs: list[str]
    ymax: float
    axis_h: int

    @property
    def plot_w(self) -> float:
        return W - LEFT - RIGHT

    @property
    def plot_h(self) -> float:
        return H - TOP - BOTTOM

    @property
    def band(self) -> float:
        return self.plot_w / max(len(self.xs), 1)

    def y_of(self, v: float) -> float:
        return TOP + self.plot_h - (v / self.ymax) * self.plot_h

    def x_of(self, i: int) -> float:
        return LEFT + self.band * (i + 0.5)


def _description(xs, series, flags, flag_note, lang) -> str:
    return "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{x} {_fmt(v, lang) if v is not None else '–'}" + (f" ({flag_note})" if f else "")
            for x, v, f in zip(xs, s.values, flags)
        )
        for s in series
    )


def _axes(f: _Frame, ticks: list[float], lang: str, x_label: str | None, y_label: str | None) -> list[str]:
    parts = []
    for tv in ticks:
        y = f.y_of(tv)
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#222222">{escape(_fmt(tv, lang))}</text>'
        )
    bottom = TOP + f.plot_h
    parts.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#222222" stroke-width="1.5"/>'
    )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" stroke="#222222" stroke-width="1.5"/>')
    if y_label:
        cy = TOP + f.plot_h / 2
        parts.append(
            f'<text class="axis-label" x="14" y="{cy:.1f}" transform="rotate(-90 14 {cy:.1f})" '
            f'text-anchor="middle" font-size="12" fill="#222222">{escape(y_label)}</text>'
        )
    if x_label:
        parts.append(
            f'<text class="axis-label" x="{LEFT + f.plot_w / 2:.1f}" y="{bottom + 40}" '
            f'text-anchor="middle" font-size="12" fill="#222222">{escape(x_label)}</text>'
        )
    step = max(1, math.ceil(len(f.xs) / 14))
    parts += [
        f'<text x="{f.x_of(i):.1f}" y="{bottom + 18}" text-anchor="middle" font-size="12" fill="#222222">{escape(x)}</text>'
        for i, x in enumerate(f.xs)
        if not i % step
    ]
    return parts


def _bars(f: _Frame, s: Series, flags: list[bool], flag_note: str, lang: str) -> list[str]:
    parts = []
    bw = f.band * 0.6
    for i, v in enumerate(s.values):
        if v is None:
            continue
        y = f.y_of(v)
        flagged = i < len(flags) and flags[i]
        outline = (
            ' class="bar flagged" stroke="#a31b1b" stroke-width="3" stroke-dasharray="5 3"'
            if flagged
            else ' class="bar"'
        )
        note = f" ({escape(flag_note)})" if flagged and flag_note else ""
        parts.append(
            f'<rect{outline} x="{f.x_of(i) - bw / 2:.1f}" y="{y:.1f}" width="{bw:.1f}" '
            f'height="{TOP + f.plot_h - y:.1f}" fill="{PALETTE[0]}"><title>{escape(f.xs[i])}: {escape(_fmt(v, lang))}{note}</title></rect>'
        )
        if len(f.xs) <= 16:
            label = _fmt(v, lang) + (" !" if flagged else "")
            color = "#a31b1b" if flagged else "#222222"
            parts.append(
                f'<text x="{f.x_of(i):.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="11" fill="{color}">{escape(label)}</text>'
            )
    return parts


def _style(k: int) -> tuple[str, str, str]:
    return PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)], MARKERS[k % len(MARKERS)]


def _lines(f: _Frame, series: list[Series]) -> list[str]:
    parts = []
    for k, s in enumerate(series):
        color, dash, marker = _style(k)
        points = [(f.x_of(i), f.y_of(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline class="line" points="{path}" fill="none" stroke="{color}" stroke-width="2.5"{dash_attr}/>'
            )
        parts += [_marker(marker, x, y, color) for x, y in points]
    ly = TOP + f.plot_h + 40 + f.axis_h
    for k, s in enumerate(series):
        color, dash, marker = _style(k)
        y = ly + 22 * k
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + 36}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2.5"{dash_attr}/>'
        )
        parts.append(_marker(marker, LEFT + 18, y, color))
        parts.append(f'<text x="{LEFT + 44}" y="{y + 4}" font-size="12" fill="#222222">{escape(s.name)}</text>')
    return parts


def chart_svg(
    title: str,
    xs: list[str],
    series: list[Series],
    lang: str = "en",
    *,
    x_label: str | None = None,
    y_label: str | None = None,
    flags: list[bool] | None = None,
    flag_note: str = "",
) -> Markup:
    """An accessible SVG chart of ``series`` over the categories ``xs``.

    ``x_label``/``y_label`` name the axes (the quantity and its unit); ``flags`` marks
    categories whose values are disputed (a source conflict): a red outline and a "!" above,
    with ``flag_note`` in the tooltip and the text alternative.
    """
    flags = flags or [False] * len(xs)
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(max(values) if values else 1.0, 0))
    frame = _Frame(xs=xs, ymax=ticks[-1] or 1.0, axis_h=24 if x_label else 0)
    height = H + (22 * len(series) if len(series) > 1 else 0) + frame.axis_h
    uid = "c" + hashlib.sha1("\x1f".join([title, *xs]).encode()).hexdigest()[:10]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(_description(xs, series, flags, flag_note, lang))}</desc>',
        f'<rect x="0" y="0" width="{W}" height="{height}" fill="#ffffff"/>',
        *_axes(frame, ticks, lang, x_label, y_label),
        *(_bars(frame, series[0], flags, flag_note, lang) if len(series) == 1 else _lines(frame, series)),
        "</svg>",
    ]
    return Markup("".join(parts))
