"""How long something took, or has taken so far."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def elapsed(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from `start` to `end`, or to now while it has not ended; None without a start."""
    if start is None:
        return None
    return ((end or timezone.now()) - start).total_seconds()
