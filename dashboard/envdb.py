"""DATABASE_URL parsing: SQLite by default, PostgreSQL in production and CI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# Below CELERY_TASK_SOFT_TIME_LIMIT (60 s) with room for the health write after it: a sync
# step waiting on another writer's lock fails and is rescheduled, it is not killed. The same
# bound on PostgreSQL (lock_timeout), whose lock waits are otherwise unbounded.
LOCK_WAIT_S = 20


def sqlite_database(name: Path) -> dict[str, Any]:
    """The one DATABASES entry for a SQLite file, however it was asked for."""
    # WAL lets the web read while a worker writes; IMMEDIATE takes the write lock up front so
    # two writers queue (for `timeout` seconds) instead of failing half way. Tests use a file
    # too: an in-memory database is shared between threads with table locks that fail at once.
    # One test database per process (in the temp dir), so two test runs never share a file.
    test_name = Path(tempfile.gettempdir()) / f"jobdeck-test-{os.getpid()}.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": LOCK_WAIT_S,
        },
        "TEST": {"NAME": str(test_name)},
    }


def _sqlite_path(url: str, parts: SplitResult, default: Path) -> Path:
    """`sqlite://` is the default file; after the third slash comes the path, so
    `sqlite:///db.sqlite3` is relative (to the project) and `sqlite:////srv/db.sqlite3`
    absolute, as in SQLAlchemy and dj-database-url."""
    if parts.netloc:
        raise ImproperlyConfigured(
            f"DATABASE_URL {url!r}: a SQLite URL has no host (sqlite:///relative/path or "
            "sqlite:////absolute/path)"
        )
    path = unquote(parts.path)[1:]
    if not path:
        return default
    if path == ":memory:":
        # Each process (web, worker, beat) would see a database of its own.
        raise ImproperlyConfigured("DATABASE_URL: an in-memory SQLite database is not shared")
    return default.parent / path  # an absolute path stays as it is


def database_from_url(url: str, *, sqlite_default: Path) -> dict[str, Any]:
    """Return a Django DATABASES entry for `url` (`postgres://u:p@host:5432/name`)."""
    if not url:
        return sqlite_database(sqlite_default)
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": {"options": f"-c lock_timeout={LOCK_WAIT_S * 1000}"},
        }
    if parts.scheme == "sqlite":
        return sqlite_database(_sqlite_path(url, parts, sqlite_default))
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
