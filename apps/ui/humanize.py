"""Short, human-readable times for dense tables: "4 min ago", "2 h 4 min".

Dashboards show many timestamps and durations side by side; exact ISO values are noise
there (the exact value can go in a title attribute). These return plain str (no markup), so
templates auto-escape them like any other text.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

MINUTE, HOUR, DAY = 60, 3600, 86400
# Below this, a count of seconds is jitter between the poller and the clock, not information.
JUST_NOW = 5


def _span(seconds: int) -> str:
    """The largest unit only, floored: 59 s, 1 min, 23 h, 400 d."""
    if seconds < MINUTE:
        return _unit(seconds, 1)
    if seconds < HOUR:
        return _unit(seconds // MINUTE, MINUTE)
    if seconds < DAY:
        return _unit(seconds // HOUR, HOUR)
    return _unit(seconds // DAY, DAY)


# Lazy: translated in the language of the page that shows them, one lookup per label used.
UNIT_LABELS = {
    1: pgettext_lazy("duration", "%(n)d s"),
    MINUTE: pgettext_lazy("duration", "%(n)d min"),
    HOUR: pgettext_lazy("duration", "%(n)d h"),
    DAY: pgettext_lazy("duration", "%(n)d d"),
}


def _unit(count: int, unit: int) -> str:
    """`count` of `unit` seconds as a short label: "4 min", "4 分钟"."""
    return str(UNIT_LABELS[unit]) % {"n": count}


def ago(then: datetime | None, now: datetime) -> str:
    """How long before `now` `then` was: "just now", "8 s ago", "4 min ago", "3 h ago", "2 d ago".

    None means the event never happened ("never"). A time in the future (clock skew between the
    cloud and us, or a scheduled time) reads "in 4 min" rather than a negative age.
    """
    if then is None:
        return _("never")
    delta = (now - then).total_seconds()
    if abs(delta) < JUST_NOW:
        return _("just now")
    text = _span(int(abs(delta)))
    return (_("%(span)s ago") if delta > 0 else _("in %(span)s")) % {"span": text}


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
    for big, small in ((DAY, HOUR), (HOUR, MINUTE), (MINUTE, 1)):
        if total >= big:
            rest = total % big // small
            head = _unit(total // big, big)
            return f"{head} {_unit(rest, small)}" if rest else head
    return _unit(total, 1)


def zone_label(when: datetime) -> str:
    """The UTC offset of an aware time, as a label people read: "UTC", "UTC+8", "UTC+5:30"."""
    offset = when.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
