"""What the cloud sends can be odd without stopping the sync: a NUL in a name (PostgreSQL stores
none in text or jsonb) and absurdly nested JSON."""

from __future__ import annotations

import json

import pytest

from apps.batch.models import Job
from apps.cloud import client
from apps.cloud.errors import AnswerLost
from tests import factories
from tests.conftest import start_emulator
from tests.sync.drive import batch_world, converged, drive

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_job_name_is_stored_visibly_and_the_sync_goes_on(clock):
    emulator = start_emulator("empty", clock=clock, limits_enabled=False)
    try:
        world = batch_world(emulator)
        task = {
            "TaskName": "t",
            "TaskInstanceNum": 1,
            "Application": {"DeliveryForm": "LOCAL", "Command": "true"},
            "ComputeEnv": {"EnvType": "MANAGED", "EnvData": {"InstanceType": "S5.MEDIUM4"}},
        }
        nul = world.submit({"JobName": "bad\x00name", "Tasks": [task]}, "ap-guangzhou-3")
        fine = world.submit({"JobName": "fine", "Tasks": [task]}, "ap-guangzhou-3")
        account = factories.emulator_account(emulator)
        drive(account, until=lambda: converged(emulator, account))
    finally:
        emulator.stop()
    assert Job.objects.get(job_id=nul.id).name == "bad\ufffdname"
    assert Job.objects.filter(job_id=fine.id).exists()


def test_absurd_nesting_is_a_malformed_answer_not_a_crash():
    body = json.dumps({"Response": {"JobSet": [], "RequestId": "r"}}).encode()
    deep = b'{"Response": {"X": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert client.parse(200, body, "DescribeJobs")["RequestId"] == "r"
    with pytest.raises(AnswerLost, match="not an API envelope"):
        client.parse(200, deep, "DescribeJobs")
