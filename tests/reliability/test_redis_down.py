"""Redis down: pages still render from the database with a clear banner, sign-in works,
actions are refused with a message (not lost), and the sync resumes when Redis is back."""

from __future__ import annotations

import socket

import pytest
from django.test import Client, override_settings

from apps.actions.models import Operation
from apps.batch.models import Job
from tests.sync.drive import converged, drive

pytestmark = pytest.mark.django_db


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there


@pytest.fixture
def redis_down():
    url = dead_url()
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    with override_settings(REDIS_URL=url, CACHES=cache):
        from apps.cloud.gateway import reset_throttle

        reset_throttle()
        yield
    reset_throttle()


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-password-1")


def test_pages_render_from_the_database_with_a_banner(synced, root, redis_down):
    client = Client()
    client.force_login(root)
    job = Job.objects.filter(state="FAILED").earliest("pk")
    for url in ("/", "/jobs/", f"/jobs/{job.job_id}/", "/envs/", "/omics/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Redis is unreachable" in page.content.decode(), url
    assert job.job_id in client.get("/jobs/").content.decode()


def test_sign_in_still_works(root, redis_down):
    client = Client()
    reply = client.post("/account/sign-in/", {"username": "root", "password": "root-password-1"})
    assert reply.status_code == 302 and client.get("/").status_code == 200


def test_actions_are_refused_with_a_message_not_lost(synced, root, redis_down):
    client = Client()
    client.force_login(root)
    job = Job.objects.filter(state="FAILED").earliest("pk")
    reply = client.post(
        "/actions/retry-jobs/run/", {"target": job.job_id, "back": "/jobs/"}, follow=True
    )
    assert "Nothing was done" in reply.content.decode()
    assert not Operation.objects.exists()


def test_the_sync_stops_without_redis_and_resumes_when_it_returns(synced, root):
    import redis

    from apps.cloud.gateway import reset_throttle
    from apps.cloud.models import CloudAccount
    from apps.cloud.scope import Scope
    from apps.sync.models import SyncHealth
    from apps.sync.tasks import step_once

    account = CloudAccount.objects.get(name="demo")
    url = dead_url()
    with override_settings(REDIS_URL=url):
        reset_throttle()
        with pytest.raises(redis.ConnectionError):  # the limiter is in Redis: no call goes out
            step_once("batch.jobs", Scope(account, "ap-guangzhou"), {})
    reset_throttle()
    synced.clock.advance(60)  # the cloud moved on meanwhile
    with override_settings(CLOUD_RATE_SCALE=100):
        drive(account, until=lambda: converged(synced, account), max_rounds=50)
    assert SyncHealth.objects.filter(
        account=account, stream="batch.jobs", consecutive_failures=0
    ).exists()
