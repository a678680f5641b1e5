"""Real Celery workers in their own processes, on the test database and the test Redis, so a
test can kill one (SIGKILL: no clean shutdown, no chance to save anything) and start another."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from dashboard.processes import worker_command

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts"


def database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"  # four slashes: absolute
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(
    redis_url: str,
    *,
    name: str,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker -Q actions,celery -P prefork -c 1`, as deployed, with `options` (e.g.
    `--beat`). Its log goes to test-artifacts/<name>.log. Killed with its pool when the block
    ends (if still alive)."""
    LOGS.mkdir(exist_ok=True)
    log = (LOGS / f"{name}.log").open("wb")
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "plain",
        **(env or {}),
    }
    command = worker_command(
        *"-Q actions,celery -P prefork -c 1 --loglevel INFO".split(),
        *("-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
        *options,
    )
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        kill(process)
        log.close()


def log_of(name: str) -> str:
    """What the worker `name` has logged so far."""
    return (LOGS / f"{name}.log").read_text(errors="replace")


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its pool (its own process group), as the OOM killer would."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def pool_children(process: subprocess.Popen[bytes]) -> list[int]:
    """The pool processes of a prefork worker (the main process's children)."""
    path = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []
