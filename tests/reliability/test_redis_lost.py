"""Redis loses its data (FLUSHALL, a restart without persistence): the detail queues go with
it, and the planner rebuilds them from the database, so the cache still converges: ended jobs
get their ended tasks, instances and final logs."""

from __future__ import annotations

import pytest
import redis
from django.test import Client

from apps.batch.models import Job
from apps.cloud.models import CloudAccount
from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from apps.omics.models import RunGroup
from apps.sync.streams import registered
from tests.sync.drive import batch_world, cached_states, converged, drive
from tests.sync.omics_drive import omics_converged, omics_world

pytestmark = pytest.mark.django_db


def test_the_cache_converges_after_redis_lost_its_queues(
    emulator: Emulator,
    emulator_account: CloudAccount,
    clock: ManualClock,
    redis_url: str,
    admin_client: Client,
) -> None:
    world = batch_world(emulator)
    # The sweep stores every job and queues the details of those that changed ...
    drive(
        emulator_account,
        streams=["batch.jobs"],
        until=lambda: set(cached_states(emulator_account)["jobs"]) == set(world.jobs),
    )
    # ... and Redis loses the queued work before any of it is served.
    redis.Redis.from_url(redis_url).flushall()
    clock.advance(120)  # the cloud moves on meanwhile: more jobs end
    drive(
        emulator_account,
        until=lambda: converged(emulator, emulator_account),
        max_rounds=200,
    )

    # What the pages show: an ended job lists its tasks and instances ended, with their logs.
    job = Job.objects.filter(account=emulator_account, state="FAILED").earliest("pk")
    task = job.tasks.order_by("name").first()
    assert task is not None and task.is_ended
    page = admin_client.get(f"/jobs/{job.job_id}/", {"task": task.name})
    assert page.status_code == 200 and task.name in page.content.decode()
    instances = list(task.instances.all())
    assert instances and all(i.is_ended for i in instances)
    assert all(i.log.final for i in instances if i.running_at is not None)


def test_the_omics_cache_converges_after_redis_lost_its_queues(
    emulator: Emulator, emulator_account: CloudAccount, clock: ManualClock, redis_url: str
) -> None:
    # Every group listed and its runs queued, then the queues lost (the pass-end refresh of
    # apps.omics.sync queues again what the database holds as not finally synced).
    groups = set(omics_world(emulator).groups)
    listed = RunGroup.objects.filter(account=emulator_account)
    drive(
        emulator_account,
        streams=["omics.run_groups"],
        until=lambda: set(listed.values_list("run_group_id", flat=True)) == groups,
    )
    redis.Redis.from_url(redis_url).flushall()
    clock.advance(120)
    omics = [name for name, s in registered().items() if s.service == "omics"]
    drive(
        emulator_account,
        streams=omics,
        until=lambda: omics_converged(emulator, emulator_account),
        max_rounds=200,
    )
