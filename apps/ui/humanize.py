"""Short, human-readable times for dense tables: "4 min ago", "2 h 4 min".

Dashboards show many timestamps and durations side by side; exact ISO values are noise
there (the exact value can go in a title attribute). These return plain str (no markup), so
templates auto-escape them like any other text.
"""

from __future__ import annotations

import math
from datetime import datetime

MINUTE, HOUR, DAY = 60, 3600, 86400
# Below this, a count of seconds is jitter between the poller and the clock, not information.
JUST_NOW = 5


def _span(seconds: int) -> str:
    """The largest unit only, floored: 59 s, 1 min, 23 h, 400 d."""
    if seconds < MINUTE:
        return f"{seconds} s"
    if seconds < HOUR:
        return f"{seconds // MINUTE} min"
    if seconds < DAY:
        return f"{seconds // HOUR} h"
    return f"{seconds // DAY} d"


def ago(then: datetime | None, now: datetime) -> str:
    """How long before `now` `then` was: "just now", "8 s ago", "4 min ago", "3 h ago", "2 d ago".

    None means the event never happened ("never"). A time in the future (clock skew between the
    cloud and us, or a scheduled time) reads "in 4 min" rather than a negative age.
    """
    if then is None:
        return "never"
    delta = (now - then).total_seconds()
    if abs(delta) < JUST_NOW:
        return "just now"
    text = _span(int(abs(delta)))
    return f"{text} ago" if delta > 0 else f"in {text}"


def duration(seconds: float | None) -> str:
    """A length of time with its two largest units: "42 s", "3 min 5 s", "2 h 4 min", "3 d 2 h".

    None (or NaN: not known yet) is "—"; a zero second unit is left out ("3 min", not
    "3 min 0 s"); negative values (clock skew) count as 0; all units are floored, so a
    duration never reads longer than it was.
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "\u2014"
    if math.isinf(seconds):
        return "\u221e"
    total = max(0, int(seconds))
    for big, small, big_name, small_name in (
        (DAY, HOUR, "d", "h"),
        (HOUR, MINUTE, "h", "min"),
        (MINUTE, 1, "min", "s"),
    ):
        if total >= big:
            rest = total % big // small
            return f"{total // big} {big_name}" + (f" {rest} {small_name}" if rest else "")
    return f"{total} s"
