"""A small line chart of the coverage percentages, drawn as SVG on the server (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from oversight.dashboard.models import CoverageSnapshot

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28
SERIES = (
    ("evaluation_pct", _l("Valid evaluation"), "series-evaluation"),
    ("contract_pct", _l("All required clauses"), "series-contract"),
    ("audit_pct", _l("Audited in interval"), "series-audit"),
)


@dataclass(frozen=True)
class Series:
    label: str
    css_class: str
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float, str]]  # x, y and the tooltip text


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    period: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.x_labels


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * index / (count - 1) if count > 1 else span / 2), 1)


def _y(percent: int) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (100 - percent) / 100, 1)


def _month_label(month, index: int) -> str:
    return f"{month:%m}"


def trend_chart(snapshots: list[CoverageSnapshot]) -> Chart:
    """The chart's geometry for ``snapshots`` (oldest first); months without a figure leave a gap in the dots."""
    count = len(snapshots)
    series = []
    for attribute, label, css_class in SERIES:
        dots = [
            (_x(index, count), _y(value), f"{snapshot.month:%Y-%m} {label}: {value}%")
            for index, snapshot in enumerate(snapshots)
            if (value := getattr(snapshot, attribute)) is not None
        ]
        series.append(Series(str(label), css_class, " ".join(f"{x},{y}" for x, y, _ in dots), dots))
    return Chart(
        WIDTH,
        HEIGHT,
        series,
        [(_x(index, count), _month_label(snapshot.month, index)) for index, snapshot in enumerate(snapshots)],
        [(_y(percent), percent) for percent in (0, 50, 100)],
        period=f"{snapshots[0].month:%Y-%m} – {snapshots[-1].month:%Y-%m}" if snapshots else "",
    )
