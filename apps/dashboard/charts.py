"""Chart geometry for server-side SVG: bars in a viewBox, labels in its units.

The charts are drawn at a phone's width (a 360-unit viewBox) and scale up
with their card, so their text stays readable on a small screen. Colours
are classes (``series-0`` ...) in static/css/dashboard.css.
"""

from datetime import date, timedelta

from django.utils import timezone

WIDTH = 360
PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT = 12, 150, 34
SERIES = 6  # colours in the stylesheet; further types share the last one


def events_per_day(per_day: dict, *, days: int = 30) -> dict:
    """A stacked bar per day (oldest left), one colour per event type, with a legend."""
    today = timezone.now().date()
    dates = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    types = sorted({event_type for counts in per_day.values() for event_type in counts})
    series = {event_type: f"series-{min(index, SERIES - 1)}" for index, event_type in enumerate(types)}
    peak = max((sum(counts.values()) for counts in per_day.values()), default=0)
    scale, ticks = _scale(peak)
    step = (WIDTH - PLOT_LEFT - 4) / days
    bars = []
    for index, day in enumerate(dates):
        y = PLOT_BOTTOM
        for event_type in types:
            count = per_day.get(day, {}).get(event_type, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            title = f"{day:%d %b}: {count:,} {event_type}"
            bars.append(_bar(PLOT_LEFT + index * step + 1, y, step - 2, height, series[event_type], title))
    labels = [_label(PLOT_LEFT + index * step + step / 2, day) for index, day in enumerate(dates) if index % 7 == 0]
    legend = [
        {"name": event_type, "css": css, "total": _total(per_day, event_type)} for event_type, css in series.items()
    ]
    return {"bars": bars, "labels": labels, "ticks": ticks, "legend": legend, **_frame()}


def posts_per_week(per_week: dict, *, weeks: int = 12) -> dict:
    """A bar per week, the newest right."""
    this_monday = timezone.now().date() - timedelta(days=timezone.now().weekday())
    mondays = [this_monday - timedelta(weeks=offset) for offset in range(weeks - 1, -1, -1)]
    peak = max(per_week.values(), default=0)
    scale, ticks = _scale(peak)
    step = (WIDTH - PLOT_LEFT - 4) / weeks
    bars = [
        _bar(
            PLOT_LEFT + index * step + 3,
            PLOT_BOTTOM - count * scale,
            step - 6,
            count * scale,
            "series-0",
            f"week of {monday:%d %b}: {count:,} posts",
        )
        for index, monday in enumerate(mondays)
        if (count := per_week.get(monday, 0))
    ]
    labels = [
        _label(PLOT_LEFT + index * step + step / 2, monday) for index, monday in enumerate(mondays) if index % 3 == 0
    ]
    return {"bars": bars, "labels": labels, "ticks": ticks, "total": sum(per_week.values()), **_frame()}


def database_sizes(sizes: dict) -> dict:
    """A horizontal bar per database, its size written beside it."""
    known = {alias: size for alias, size in sizes.items() if size is not None}
    peak = max(known.values(), default=0) or 1
    rows = []
    for index, (alias, size) in enumerate(sizes.items()):
        y = 8 + index * 28
        length = 0 if size is None else max(size / peak * (WIDTH - 190), 2)
        rows.append(
            {
                "alias": alias,
                "y": y,
                "text_y": y + 15,
                "length": round(length, 1),
                "value_x": round(98 + length, 1),
                "size": size,
            }
        )
    return {"rows": rows, "width": WIDTH, "height": 8 + len(rows) * 28}


def _frame() -> dict:
    return {
        "width": WIDTH,
        "height": PLOT_BOTTOM + 24,
        "left": PLOT_LEFT,
        "top": PLOT_TOP,
        "bottom": PLOT_BOTTOM,
        "right": WIDTH - 4,
        "label_y": PLOT_BOTTOM + 17,
    }


def _scale(peak: int) -> tuple[float, list[dict]]:
    """Units per count, and two or three round gridlines."""
    top = _round_up(max(peak, 1))
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    ticks = [
        {
            "value": value,
            "y": round(PLOT_BOTTOM - value * scale, 1),
            "text_y": round(PLOT_BOTTOM - value * scale + 4, 1),
        }
        for value in (0, top // 2, top)
        if value != top // 2 or (top % 2 == 0 and top >= 2)
    ]
    return scale, ticks


def _round_up(value: int) -> int:
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _bar(x, y, width, height, css, title) -> dict:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "width": round(max(width, 1), 1),
        "height": round(height, 1),
        "css": css,
        "title": title,
    }


def _label(x, day: date) -> dict:
    return {"x": round(x, 1), "text": f"{day.day} {day:%b}"}


def _total(per_day: dict, event_type: str) -> int:
    return sum(counts.get(event_type, 0) for counts in per_day.values())
