"""Small inline-SVG charts for report.html (no plotting library): a line chart and a grouped bar chart.
Every label goes through html.escape; values are plain numbers in [0, 1] unless y_max says otherwise."""
from __future__ import annotations

from html import escape
from typing import Mapping, Sequence

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
W, H = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 20, 60      # margins: the legend sits on the right


def _frame(title: str, y_max: float, body: list[str]) -> str:
    ph = H - TOP - BOTTOM
    grid = []
    for i in range(5):
        v = y_max * i / 4
        y = TOP + ph - ph * i / 4
        grid.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
                    f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{v:.2g}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
            f'role="img" aria-label="{escape(title)}" font-family="sans-serif">'
            f'<title>{escape(title)}</title>{"".join(grid)}{"".join(body)}</svg>')


def _legend(series: Sequence[str]) -> list[str]:
    out = []
    for i, name in enumerate(series):
        y = TOP + 14 + 18 * i
        out.append(f'<rect x="{W - RIGHT + 12}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{W - RIGHT + 28}" y="{y}" font-size="12">{escape(name)}</text>')
    return out


def _y(value: float, y_max: float) -> float:
    ph = H - TOP - BOTTOM
    return TOP + ph - ph * min(max(value / y_max, 0.0), 1.0)


def line_chart(title: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float | None]],
               y_max: float = 1.0) -> str:
    """One line per series over evenly spaced x positions; None values leave a gap."""
    pw = W - LEFT - RIGHT
    xs = [LEFT + pw * (i + 0.5) / max(len(x_labels), 1) for i in range(len(x_labels))]
    body = [f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" font-size="11">{escape(lab)}</text>'
            for x, lab in zip(xs, x_labels)]
    for i, (name, values) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        pts = [(x, _y(v, y_max), v) for x, v in zip(xs, values) if v is not None]
        if len(pts) > 1:
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                        f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)}"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                 f'<title>{escape(name)}: {v:.3f}</title></circle>' for x, y, v in pts]
    return _frame(title, y_max, body + _legend(list(series)))


def bar_chart(title: str, groups: Sequence[str], series: Mapping[str, Sequence[float | None]],
              y_max: float = 1.0) -> str:
    """Grouped bars: one group per x label, one bar per series; None draws no bar."""
    pw = W - LEFT - RIGHT
    gw = pw / max(len(groups), 1)
    bw = gw * 0.8 / max(len(series), 1)
    body = []
    for g, label in enumerate(groups):
        cx = LEFT + gw * (g + 0.5)
        short = label if len(label) <= 14 else label[:13] + "…"
        body.append(f'<text x="{cx:.1f}" y="{H - BOTTOM + 14}" text-anchor="end" font-size="11" '
                    f'transform="rotate(-30 {cx:.1f} {H - BOTTOM + 14})">{escape(short)}</text>')
        for s, (name, values) in enumerate(series.items()):
            v = values[g] if g < len(values) else None
            if v is None:
                continue
            x = LEFT + gw * g + gw * 0.1 + bw * s
            y = _y(v, y_max)
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{H - BOTTOM - y:.1f}" '
                        f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} · {escape(label)}: '
                        f'{v:.3f}</title></rect>')
    return _frame(title, y_max, body + _legend(list(series)))
