"""Documented parameter limits, refused by the emulator with the cloud's codes (through the
official SDK), and never sent by Jobdeck's client (through apps/batch/api.py)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from apps.batch import api
from apps.cloud.scope import Scope
from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import ZONE, error_code, job, running_job, submit
from tests.emulator.raw import error_code as raw_error_code
from tests.emulator.raw import post
from tests.emulator.sdk import call

pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


def ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:08d}" for i in range(count)]


def monitor_params(job_id: str) -> dict[str, Any]:
    return {"JobId": job_id, "TaskName": "main", "TaskInstanceIndex": 0, "MetricName": "CpuUsage"}


# --- Region: "Yes" on the SubmitJob and DescribeJobMonitorData pages only ----------------------
def test_submit_job_without_a_region_is_missing_parameter(emulator: Emulator) -> None:
    params = {"Placement": {"Zone": ZONE}, "Job": job()}
    assert raw_error_code(post(emulator, "SubmitJob", params, region=None)) == "MissingParameter"
    assert raw_error_code(post(emulator, "SubmitJob", params)) is None  # the same, with one


def test_describe_job_monitor_data_without_a_region_is_missing_parameter(
    emulator: Emulator, client: Any, clock: ManualClock
) -> None:
    job_id = running_job(client, clock)
    reply = post(emulator, "DescribeJobMonitorData", monitor_params(job_id), region=None)
    assert raw_error_code(reply) == "MissingParameter"
    assert call(client, "DescribeJobMonitorData", monitor_params(job_id)).Period > 0


def test_other_actions_still_answer_without_a_region(emulator: Emulator) -> None:
    # "Region — No — This parameter is not required for this API"
    assert raw_error_code(post(emulator, "DescribeJobs", {"Limit": 1}, region=None)) is None


# --- id lists of at most 100 ("最大限制100" in the SDK's models) -----------------------------------
@pytest.mark.parametrize("action", ["DescribeComputeEnvs", "DescribeComputeEnvCreateInfos"])
def test_more_than_100_env_ids_are_refused(client: Any, action: str) -> None:
    assert error_code(client, action, {"EnvIds": ids("env", 101)}) == "InvalidParameterValue"
    assert call(client, action, {"EnvIds": ids("env", 100)}).TotalCount == 0


def test_more_than_100_task_template_ids_are_refused(client: Any) -> None:
    params = {"TaskTemplateIds": ids("task-tmpl", 101)}
    assert error_code(client, "DescribeTaskTemplates", params) == "InvalidParameterValue"
    params = {"TaskTemplateIds": ids("task-tmpl", 100)}
    assert call(client, "DescribeTaskTemplates", params).TotalCount == 0


# --- DescribeTaskTemplates Limit: "可选范围[1-100]" ----------------------------------------------
@pytest.mark.parametrize("limit", [0, 101])
def test_task_templates_limit_out_of_1_to_100_is_refused(client: Any, limit: int) -> None:
    assert error_code(client, "DescribeTaskTemplates", {"Limit": limit}) == "InvalidParameterValue"


@pytest.mark.parametrize("limit", [1, 100])
def test_task_templates_limit_within_1_to_100_is_answered(client: Any, limit: int) -> None:
    assert call(client, "DescribeTaskTemplates", {"Limit": limit}).TotalCount >= 0


# --- DescribeJobs: a zone of another region ----------------------------------------------------
def test_describe_jobs_with_a_zone_of_another_region_is_mismatch_region(
    client: Any, clock: ManualClock
) -> None:
    job_id = submit(client)
    other = {"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3", "ap-shanghai-2"]}]}
    assert error_code(client, "DescribeJobs", other) == "InvalidZone.MismatchRegion"
    own = {"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]}
    assert job_id in {j.JobId for j in call(client, "DescribeJobs", own).JobSet}


# --- Jobdeck's client --------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_client_never_sends_a_regionless_describe_job_monitor_data(
    emulator: Emulator, emulator_account: Any, client: Any, clock: ManualClock
) -> None:
    job_id = running_job(client, clock)
    with pytest.raises(api.RegionRequired):
        api.describe_job_monitor_data(Scope(emulator_account, ""), job_id, "main", 0, "CpuUsage")
    stats = requests.get(f"http://127.0.0.1:{emulator.port}/_emulator/stats", timeout=5).json()
    assert not [r for r in stats["calls"] if r["action"] == "DescribeJobMonitorData"]
    scope = Scope(emulator_account, "ap-guangzhou")
    assert api.describe_job_monitor_data(scope, job_id, "main", 0, "CpuUsage", block=True)
