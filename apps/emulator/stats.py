"""Counters served at GET /_emulator/stats: what tests and benchmarks read to prove that the
dashboard stayed within the limits."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

OUTCOMES = ("answered", "ok", "errors", "rate_limited", "auth_failures", "faults")


class Stats:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(OUTCOMES, 0)
        )
        self._lock = threading.Lock()

    def count(self, action: str, secret_id: str, outcome: str) -> None:
        with self._lock:
            self._counts[(action, secret_id)][outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            counted = [(key, dict(counts)) for key, counts in sorted(self._counts.items())]
        totals = {outcome: sum(counts[outcome] for _, counts in counted) for outcome in OUTCOMES}
        rows = [
            {"action": action, "secret_id": secret_id, **counts}
            for (action, secret_id), counts in counted
        ]
        return {"totals": totals, "calls": rows}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
