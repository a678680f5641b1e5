"""DATABASE_URL parsing: SQLite by default, PostgreSQL in production and CI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def _sqlite(name: Path | str, test_name: Path) -> dict[str, Any]:
    # WAL lets the web read while a worker writes; IMMEDIATE takes the write lock up front so
    # two writers queue (for `timeout` seconds) instead of failing half way. Tests use a file
    # too: an in-memory database is shared between threads with table locks that fail at once.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": str(test_name)},
    }


def database_from_url(url: str, *, sqlite_default: Path) -> dict[str, Any]:
    """Return a Django DATABASES entry for `url` (`postgres://u:p@host:5432/name`)."""
    # One test database per process (in the temp dir), so two test runs never share a file.
    test_name = Path(tempfile.gettempdir()) / f"jobdeck-test-{os.getpid()}.sqlite3"
    if not url:
        return _sqlite(sqlite_default, test_name)
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
        }
    if parts.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parts.path) or sqlite_default,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
