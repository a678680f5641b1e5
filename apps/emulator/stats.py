"""Counters served at GET /_emulator/stats: what tests and benchmarks read to prove that the
dashboard stayed within the limits, and called no product where it is not served.

Counted per (action, secret_id, region); "totals" sums everything. A request whose region is
missing or not yet known (refused before it was read) is counted under region "-"."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

# unsupported_region: errors answered UnsupportedRegion (the action not served there).
OUTCOMES = (
    "answered",
    "ok",
    "errors",
    "rate_limited",
    "auth_failures",
    "faults",
    "unsupported_region",
)


class Stats:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(OUTCOMES, 0)
        )
        # The X-TC-Language (or v1 Language) of each action's last request, "" for none: what
        # tests read to see which language a caller asked for.
        self._languages: dict[str, str] = {}
        self._lock = threading.Lock()

    def count(self, action: str, secret_id: str, outcome: str, region: str = "-") -> None:
        with self._lock:
            self._counts[(action, secret_id, region or "-")][outcome] += 1

    def heard(self, action: str, language: str) -> None:
        with self._lock:
            self._languages[action] = language

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            counted = [(key, dict(counts)) for key, counts in sorted(self._counts.items())]
            languages = dict(sorted(self._languages.items()))
        totals = {outcome: sum(counts[outcome] for _, counts in counted) for outcome in OUTCOMES}
        rows = [
            {"action": action, "secret_id": secret_id, "region": region, **counts}
            for (action, secret_id, region), counts in counted
        ]
        return {"totals": totals, "calls": rows, "languages": languages}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._languages.clear()
