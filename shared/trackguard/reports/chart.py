"""A small inline SVG: the daily Valid Tracking Rate over 30 days, with the threshold as a dashed line.

The y axis spans 80–100 % so that the band around the 95 % threshold is readable; a day under 80 %
is drawn as a short red stub, and a day without packages as a grey tick.
"""

from __future__ import annotations

from html import escape

from trackguard.reports.model import ValidTrackingRate

WIDTH, HEIGHT = 620, 170
_LEFT, _TOP, _BOTTOM = 44, 10, 24
_FLOOR = 0.80
_PLOT_HEIGHT = HEIGHT - _TOP - _BOTTOM
_GOOD, _BAD, _EMPTY = "#2e7d32", "#c62828", "#bdbdbd"


def vtr_chart(vtr: ValidTrackingRate) -> str:
    slot = (WIDTH - _LEFT - 8) / max(len(vtr.daily), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Daily Valid Tracking Rate, last 30 days">',
        _axis_label(1.0),
        _axis_label(_FLOOR),
    ]
    for index, day in enumerate(vtr.daily):
        x = _LEFT + index * slot + 1
        label = f"{day.day.isoformat()}: " + (
            f"{day.rate * 100:.1f}% of {day.packages}" if day.rate is not None else "no packages"
        )
        if day.rate is None:
            bar_y, bar_height, colour = _y(_FLOOR) - 2, 2.0, _EMPTY
        else:
            bar_y = min(_y(max(day.rate, _FLOOR)), _y(_FLOOR) - 2)
            bar_height, colour = _y(_FLOOR) - bar_y, _GOOD if day.rate >= vtr.threshold else _BAD
        parts.append(
            f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{slot - 2:.1f}" height="{bar_height:.1f}" '
            f'fill="{colour}"><title>{escape(label)}</title></rect>'
        )
    threshold_y = _y(vtr.threshold)
    parts.append(
        f'<line x1="{_LEFT}" y1="{threshold_y:.1f}" x2="{WIDTH - 8}" y2="{threshold_y:.1f}" '
        'stroke="#1a237e" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    parts.append(_axis_label(vtr.threshold, bold=True))
    if vtr.daily:
        parts.append(_date_label(_LEFT, vtr.daily[0].day.isoformat(), "start"))
        parts.append(_date_label(WIDTH - 8, vtr.daily[-1].day.isoformat(), "end"))
    parts.append("</svg>")
    return "".join(parts)


def _y(rate: float) -> float:
    return _TOP + (1.0 - rate) / (1.0 - _FLOOR) * _PLOT_HEIGHT


def _axis_label(rate: float, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_LEFT - 6}" y="{_y(rate) + 4:.1f}" text-anchor="end" font-size="11"{weight}>'
        f"{rate * 100:.0f}%</text>"
    )


def _date_label(x: float, text: str, anchor: str) -> str:
    return f'<text x="{x}" y="{HEIGHT - 6}" text-anchor="{anchor}" font-size="11">{escape(text)}</text>'
