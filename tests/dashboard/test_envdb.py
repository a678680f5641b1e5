"""DATABASE_URL: every way of naming a SQLite file gets the same options (WAL, NORMAL sync,
IMMEDIATE transactions, a busy timeout), so no process runs with SQLite's defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dashboard.envdb import LOCK_WAIT_S, database_from_url

DEFAULT = Path("/srv/jobdeck/db.sqlite3")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("", DEFAULT),
        ("sqlite://", DEFAULT),
        ("sqlite:///", DEFAULT),
        ("sqlite:///data/db.sqlite3", Path("/srv/jobdeck/data/db.sqlite3")),
        ("sqlite:////var/lib/jobdeck/db.sqlite3", Path("/var/lib/jobdeck/db.sqlite3")),
        ("sqlite:////var/lib/job%20deck.sqlite3", Path("/var/lib/job deck.sqlite3")),
    ],
)
def test_every_sqlite_url_gets_the_options(url: str, name: Path) -> None:
    entry = database_from_url(url, sqlite_default=DEFAULT)
    assert entry["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(entry["NAME"]) == name
    assert entry["OPTIONS"] == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": LOCK_WAIT_S,
    }
    assert entry == database_from_url("", sqlite_default=name)  # one builder for all


@pytest.mark.parametrize(
    "url", ["sqlite:///:memory:", "sqlite://:memory:", "sqlite://host/db.sqlite3"]
)
def test_a_sqlite_url_no_process_could_share_is_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, sqlite_default=DEFAULT)


def test_the_busy_timeout_leaves_a_step_time_to_fail_and_reschedule(settings) -> None:
    # A step waits on the lock, fails, then records its health (another wait at most).
    assert 2 * LOCK_WAIT_S < settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_a_process_given_a_sqlite_url_opens_it_with_the_options(tmp_path: Path) -> None:
    """What a worker started with DATABASE_URL=sqlite:///... gets from its connection."""
    path = tmp_path / "worker.sqlite3"
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for pragma in ('journal_mode', 'synchronous', 'busy_timeout'):\n"
        "        print(c.execute('PRAGMA ' + pragma).fetchone()[0])"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    shell = [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe]
    out = subprocess.run(shell, cwd=ROOT, env=env, capture_output=True, check=True, timeout=60)
    # WAL, synchronous=NORMAL (1), the busy timeout in milliseconds
    assert out.stdout.decode().split() == ["wal", "1", str(LOCK_WAIT_S * 1000)]
    assert path.exists()


def test_postgresql_lock_waits_are_bounded_the_same_way() -> None:
    entry = database_from_url("postgres://u:p%40ss@db:5433/jobdeck", sqlite_default=DEFAULT)
    assert (entry["NAME"], entry["USER"], entry["PASSWORD"]) == ("jobdeck", "u", "p@ss")
    assert (entry["HOST"], entry["PORT"]) == ("db", "5433")
    assert entry["OPTIONS"] == {"options": f"-c lock_timeout={LOCK_WAIT_S * 1000}"}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own setting")
def test_a_postgresql_connection_waits_on_a_lock_at_most_the_bound() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{LOCK_WAIT_S}s"
