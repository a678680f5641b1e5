"""`make demo` restarts a worker that died (as compose's `restart: unless-stopped` does in
production) instead of stopping everything, says so on the terminal, and the sync goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.batch.models import Job
from apps.cloud.models import CloudAccount
from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from dashboard.processes import worker_command
from dashboard.supervisor import Child, stop
from tests.reliability.workers import database_url, kill
from tests.sync.drive import converged
from tests.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_dead_worker_is_restarted_and_the_sync_goes_on(
    emulator: Emulator,
    emulator_account: CloudAccount,
    clock: ManualClock,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SYNC_LOCK_TTL_S": "4",
        "CLOUD_RATE_SCALE": "100",
        "LOG_FORMAT": "plain",
    }.items():
        monkeypatch.setenv(name, value)
    options = "--beat -Q actions,celery -P prefork -c 1 --loglevel INFO".split()
    schedule = ("--schedule", str(tmp_path / "celerybeat-schedule"))
    worker = Child("worker", worker_command(*options, *schedule), tmp_path / "worker.log", True)
    worker.start()
    try:
        wait_for(lambda: worker.watch() and Job.objects.exists(), 90, "the worker syncs")
        assert worker.process is not None
        first = worker.process
        kill(first)  # dead, as after a Redis restart killed it or the OOM killer did

        def replaced() -> bool:
            """a new worker took the dead one's place"""
            assert worker.watch(), "the demo stopped"
            now = worker.process
            return now is not None and now is not first and now.poll() is None

        wait_for(replaced, 30)
        assert "The worker stopped (exit -9" in capsys.readouterr().err
        clock.advance(120)  # the cloud moves on: the new worker keeps the cache up to date
        wait_for(
            lambda: worker.watch() and converged(emulator, emulator_account),
            180,
            "the cache matches the emulator",
        )
    finally:
        stop([worker.process] if worker.process else [])
