"""Faults injected on demand, per action (or "*" for every action).

Each is a probability per request, except latency (seconds added before answering) and times
(at most this many faults are injected, then the action answers normally; 0: no bound):
- internal_error: an `InternalError` envelope (HTTP 200, as the cloud answers)
- rate_limited: a `RequestLimitExceeded` envelope, as when another client of the account has
  spent the action's budget (nothing is done)
- http_502: an HTTP 502 with an HTML body, as a proxy in front of the cloud would
- drop: the connection is closed without an answer
- malformed: HTTP 200 with a truncated, unparseable JSON body
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, fields

KINDS = ("internal_error", "rate_limited", "http_502", "drop", "malformed")


@dataclass
class Fault:
    latency: float = 0.0
    internal_error: float = 0.0
    rate_limited: float = 0.0
    http_502: float = 0.0
    drop: float = 0.0
    malformed: float = 0.0
    times: float = 0.0

    @classmethod
    def parse(cls, text: str) -> tuple[str, Fault]:
        """`DescribeJobs:internal_error=0.1,latency=0.2` (the command line's --fault)."""
        action, _, settings = text.partition(":")
        if not settings:
            raise ValueError(f"expected ACTION:name=value[,name=value], got {text!r}")
        names = {f.name for f in fields(cls)}
        values: dict[str, float] = {}
        for item in settings.split(","):
            name, _, raw = item.partition("=")
            if name not in names:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(names))}")
            values[name] = float(raw)
        return action.strip() or "*", cls(**values)


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._by_action: dict[str, Fault] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def set(self, action: str, fault: Fault) -> None:
        with self._lock:
            self._by_action[action] = fault

    def clear(self) -> None:
        with self._lock:
            self._by_action.clear()

    def as_dict(self) -> dict[str, dict[str, float]]:
        with self._lock:
            return {action: vars(fault).copy() for action, fault in self._by_action.items()}

    def pick(self, action: str) -> tuple[float, str | None]:
        """The latency to add and the fault to inject (None for a normal answer)."""
        with self._lock:
            fault = self._by_action.get(action) or self._by_action.get("*")
            if fault is None:
                return 0.0, None
            kind = self._roll(fault)
            if kind is not None and fault.times:
                fault.times -= 1
                if fault.times <= 0:  # the last one: normal answers from now on
                    self._by_action = {a: f for a, f in self._by_action.items() if f is not fault}
        return fault.latency, kind

    def _roll(self, fault: Fault) -> str | None:
        roll = self._rng.random()
        threshold = 0.0
        for kind in KINDS:
            threshold += getattr(fault, kind)
            if roll < threshold:
                return kind
        return None
