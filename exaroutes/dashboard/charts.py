"""Scan charts as geometry for inline SVG, drawn by the server: no chart library, no script.

The templates turn these plain numbers into <rect>s; every label goes through Jinja's escaping.
"""
import math

DAILY_WIDTH, DAILY_HEIGHT = 720, 220
PLOT_LEFT, PLOT_BOTTOM, PLOT_TOP = 40, 24, 10


def nice_ceiling(value):
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n), at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def daily_chart(timeseries):
    """Bars of scans per day, y ticks at 0, ½ and the maximum, and a few date labels."""
    top = nice_ceiling(max((day["scans"] for day in timeseries), default=0))
    plot_width = DAILY_WIDTH - PLOT_LEFT - 4
    plot_height = DAILY_HEIGHT - PLOT_BOTTOM - PLOT_TOP
    slot = plot_width / max(len(timeseries), 1)
    bars = []
    for index, day in enumerate(timeseries):
        height = plot_height * day["scans"] / top
        bars.append({"x": round(PLOT_LEFT + index * slot + slot * 0.1, 2), "width": round(slot * 0.8, 2),
                     "y": round(PLOT_TOP + plot_height - height, 2), "height": round(height, 2),
                     "date": day["date"], "scans": day["scans"]})
    values = {0, top} | ({top // 2} if top % 2 == 0 else set())     # no half-way tick at 2.5
    ticks = [{"value": value, "y": round(PLOT_TOP + plot_height - plot_height * value / top, 2)}
             for value in sorted(values)]
    label_every = max(1, len(timeseries) // 6)
    labels = [{"x": round(PLOT_LEFT + index * slot + slot / 2, 2), "text": day["date"][5:]}
              for index, day in enumerate(timeseries) if index % label_every == 0]
    return {"width": DAILY_WIDTH, "height": DAILY_HEIGHT, "bars": bars, "ticks": ticks, "labels": labels,
            "left": PLOT_LEFT, "baseline": PLOT_TOP + plot_height, "right": DAILY_WIDTH - 4}


def breakdown_chart(items, key, limit=8):
    """Horizontal bars of the `limit` largest entries, widths in percent of the largest."""
    shown = items[:limit]
    largest = max((item["scans"] for item in shown), default=0) or 1
    return [{"label": item[key], "scans": item["scans"], "percent": round(100 * item["scans"] / largest, 1),
             "y": index * 26} for index, item in enumerate(shown)]
