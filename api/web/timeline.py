"""The explorer's timeline, laid out on the server as plain SVG shapes (no chart library).

One row per donor (most pledges first), one dot per pledge at its date, coloured by category; meeting
days as dashed vertical lines. The template draws the shapes; every dot is a link that filters the table
to that donor and day, and carries the pledge in its ``<title>`` (shown on hover and read by screen
readers).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), then greys
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
OTHER_COLOUR = "#888888"
MAX_ROWS = 12
WIDTH, LEFT, RIGHT, ROW_HEIGHT, TOP, BOTTOM = 960, 150, 20, 26, 56, 34
LANE_HEIGHT, LABEL_WIDTH = 13, 104  # meeting labels: lanes above the rows, so that close dates do not overlap


@dataclass
class Dot:
    """One pledge drawn on the timeline: position, colour, tooltip and link."""

    cx: float
    cy: float
    colour: str
    title: str
    href: str
    precise: bool  # a day; a month or a year is drawn hollow (the dot sits at its middle)
    pledge: str


@dataclass
class Timeline:
    """What the timeline SVG draws: donor rows, date ticks, pledge dots, meetings and the legend."""

    width: int
    height: int
    rows: list[tuple[str, float]] = field(default_factory=list)  # (donor label, y)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (x, label)
    dots: list[Dot] = field(default_factory=list)
    meetings: list[tuple[float, float, str, str, str]] = field(
        default_factory=list
    )  # (x, label y, key, date, href)
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (category label, colour, href)
    undated: int = 0
    left: int = LEFT
    top: int = TOP
    bottom: float = 0.0


def date_span(value: str) -> tuple[date, date] | None:
    """The first and last day a date string of any precision covers (``2025-04`` -> April)."""
    try:
        if len(value) == 4:
            return date(int(value), 1, 1), date(int(value), 12, 31)
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:7])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date.fromisoformat(value[:10])
        return day, day
    except ValueError:
        return None


def _middle(span: tuple[date, date]) -> date:
    return date.fromordinal((span[0].toordinal() + span[1].toordinal()) // 2)


def _ticks(start: date, end: date) -> list[date]:
    """Month starts (every 1, 3, 6 or 12 months, to keep about 4 to 12 ticks) between start and end."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in (1, 3, 6, 12, 24) if months / s <= 12), 60)
    ticks, year, month = [], start.year, start.month
    while date(year, month, 1) <= end:
        if ((year * 12 + month - 1) % step) == 0 and date(year, month, 1) >= start:
            ticks.append(date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return ticks


def layout(points: list[dict], meetings: list[tuple[str, str]], link) -> Timeline:
    """The timeline of ``points`` (dicts: pledge, date, donor, donor_label, category, category_label,
    title) and ``meetings`` (key, date). ``link(**filters)`` makes an explorer URL."""
    dated = [(p, date_span(str(p["date"]))) for p in points if p.get("date")]
    dated = [(p, span) for p, span in dated if span]
    undated = len(points) - len(dated)
    if not dated:
        return Timeline(WIDTH, 0, undated=undated)
    donors = [donor for donor, _ in Counter(p["donor_label"] or "?" for p, _ in dated).most_common()]
    shown = donors[:MAX_ROWS]
    others = "other donors" if len(donors) > MAX_ROWS else None
    row_names = shown + ([others] if others else [])
    start = min(span[0] for _, span in dated)
    end = max(span[1] for _, span in dated)
    start = date(start.year, start.month, 1)
    end = date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
    days = max((end - start).days, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x_of(day: date) -> float:
        return round(LEFT + plot_width * (day - start).days / days, 1)

    height = TOP + ROW_HEIGHT * len(row_names) + BOTTOM
    timeline = Timeline(WIDTH, height, bottom=TOP + ROW_HEIGHT * len(row_names), undated=undated)
    timeline.rows = [(name, TOP + ROW_HEIGHT * (i + 0.5)) for i, name in enumerate(row_names)]
    y_of = {name: y for name, y in timeline.rows}
    timeline.ticks = [(x_of(tick), tick.strftime("%b %Y")) for tick in _ticks(start, end)]
    categories = [c for c, _ in Counter(p["category_label"] or "" for p, _ in dated).most_common()]
    colours = {c: PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR for i, c in enumerate(categories)}
    stacked: Counter = Counter()
    for point, span in sorted(dated, key=lambda item: (item[1][0], str(item[0]["pledge"]))):
        row = point["donor_label"] if point["donor_label"] in y_of else others
        middle = _middle(span)
        cx = x_of(middle)
        slot = (row, round(cx / 6))
        offset = stacked[slot]
        stacked[slot] += 1
        cy = y_of[row] + (offset % 3 - 1) * 6 if offset else y_of[row]
        timeline.dots.append(
            Dot(
                cx + (offset // 3) * 7,
                cy,
                colours[point["category_label"] or ""],
                point["title"],
                link(donor=point["donor"], date_from=str(point["date"]), date_to=str(point["date"])),
                span[0] == span[1],
                point["pledge"],
            )
        )
    lanes: list[float] = []  # the right end of the last label in each lane
    for key, day in meetings:
        span = date_span(str(day))
        if span and start <= span[0] <= end:
            x = x_of(span[0])
            lane = next((i for i, right in enumerate(lanes) if right < x), None)
            if lane is None:
                lane = len(lanes) % 3 if len(lanes) >= 3 else len(lanes)
                lanes.extend([0.0] * (lane + 1 - len(lanes)))
            lanes[lane] = x + LABEL_WIDTH
            timeline.meetings.append(
                (x, TOP - 10 - LANE_HEIGHT * lane, key, str(day), f"/web/meetings/{key}")
            )
    timeline.legend = [
        (c or "uncategorised", colours[c], link(category=point_key))
        for c, point_key in _category_keys(dated).items()
    ]
    return timeline


def _category_keys(dated: list[tuple[dict, tuple]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for point, _ in dated:
        keys.setdefault(point["category_label"] or "", point.get("category") or "")
    return keys
