"""The demo runner's children (`make demo`): each started in a session of its own, watched,
and a worker that dies (a Redis restart can end one) started again after a bounded backoff, as
compose's `restart: unless-stopped` does in production. No side effects on import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _die_with_parent() -> None:
    """In the child (Linux): get SIGTERM if the demo process dies without stopping us."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _shown(log: Path) -> Path:
    return log.relative_to(ROOT) if log.is_relative_to(ROOT) else log


def spawn(name: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    print(f"  starting {name:<9} (log: {_shown(log)})", flush=True)
    handle = log.open("ab")
    # A new session: the terminal's Ctrl+C reaches only us, and we stop the children in order.
    return subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


# Seconds before a dead child is started again: longer after each death in a row, bounded, and
# back to the first once it has stayed up for HEALTHY_AFTER_S.
RESTART_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
HEALTHY_AFTER_S = 60.0


@dataclass
class Child:
    """A process of the demo; `restart`: started again when it dies instead of ending the demo."""

    name: str
    args: list[str]
    log: Path
    restart: bool = False
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    deaths: int = 0  # in a row (reset once it stays up)
    restart_at: float | None = None  # when a dead child is started again

    def start(self) -> None:
        self.process = spawn(self.name, self.args, self.log)
        self.started_at = time.monotonic()
        self.restart_at = None

    def watch(self) -> bool:
        """One look at the child; False when it stopped for good (the demo then stops)."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
            return True
        assert self.process is not None
        code = self.process.poll()
        if code is None:
            if now - self.started_at >= HEALTHY_AFTER_S:
                self.deaths = 0
            return True
        if not self.restart:
            print(f"The {self.name} stopped (exit {code}); see {_shown(self.log)}", file=sys.stderr)
            return False
        wait = RESTART_BACKOFF_S[min(self.deaths, len(RESTART_BACKOFF_S) - 1)]
        self.deaths += 1
        self.restart_at = now + wait
        print(
            f"The {self.name} stopped (exit {code}; see {_shown(self.log)}): "
            f"restarting it in {wait:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        return True


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
