"""Command lines of the project's own processes (no side effects on import)."""

from __future__ import annotations

import sys


def worker_command(*options: str) -> list[str]:
    """One Celery worker of this project: the demo, the benchmarks and the tests that kill
    workers start real ones, as deployed."""
    return [sys.executable, "-m", "celery", "-A", "dashboard", "worker", *options]
