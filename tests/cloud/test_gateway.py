"""Every Batch and Omics action the emulator implements, through the limiter and our client;
retries only for reads; the documented limits agree with the emulator's."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from apps.cloud import errors, gateway
from apps.cloud.scope import Scope
from apps.cloud.throttle import WINDOW_MARGIN
from apps.emulator import scenarios
from apps.emulator.faults import Fault

pytestmark = pytest.mark.django_db
REGION = "ap-guangzhou"


@pytest.fixture
def cloud_rate_scale() -> float:
    """The documented rates, unscaled: these tests are about the limiter keeping to them."""
    return 1.0


def batch(account, action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return gateway.cloud_call(Scope(account, REGION), "batch", action, params)


def omics(account, action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return gateway.cloud_call(Scope(account, REGION), "omics", action, params)


def test_every_batch_action(emulator_account, emulator, clock):
    """Drives each of the 30 actions once, in an order where each finds what it needs."""
    done: set[str] = set()

    def b(action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        done.add(action)
        return batch(emulator_account, action, params)

    env_id = b(
        "CreateComputeEnv",
        {
            "ComputeEnv": {"EnvName": "t", "DesiredComputeNodeCount": 1},
            "Placement": {"Zone": "ap-guangzhou-3"},
        },
    )["EnvId"]
    assert b("DescribeComputeEnvs", {"EnvIds": [env_id]})["TotalCount"] == 1
    assert b("DescribeComputeEnvCreateInfo", {"EnvId": env_id})["EnvName"] == "t"
    assert b("DescribeComputeEnvCreateInfos", {"EnvIds": [env_id]})["TotalCount"] == 1
    b("ModifyComputeEnv", {"EnvId": env_id, "DesiredComputeNodeCount": 2, "EnvName": "t2"})
    clock.advance(120)
    nodes = b("DescribeComputeEnv", {"EnvId": env_id})["ComputeNodeSet"]
    assert [n["ComputeNodeState"] for n in nodes] == ["RUNNING", "RUNNING"]
    assert b("DescribeComputeEnvActivities", {"EnvId": env_id})["TotalCount"] == 2
    b("TerminateComputeNode", {"EnvId": env_id, "ComputeNodeId": nodes[0]["ComputeNodeId"]})
    b("TerminateComputeNodes", {"EnvId": env_id, "ComputeNodeIds": [nodes[1]["ComputeNodeId"]]})
    b("AttachInstances", {"EnvId": env_id, "Instances": [{"InstanceId": "ins-abcdefgh"}]})
    clock.advance(60)
    b("DetachInstances", {"EnvId": env_id, "InstanceIds": ["ins-abcdefgh"]})
    b("DeleteComputeEnv", {"EnvId": env_id})

    task = {
        "TaskName": "A",
        "TaskInstanceNum": 1,
        "Application": {"DeliveryForm": "LOCAL", "Command": "echo hi"},
        "ComputeEnv": {"EnvType": "MANAGED", "EnvData": {"InstanceType": "S1.SMALL1"}},
    }
    job_id = b(
        "SubmitJob",
        {"Placement": {"Zone": "ap-guangzhou-3"}, "Job": {"JobName": "t", "Tasks": [task]}},
    )["JobId"]
    assert b("DescribeJobs", {"JobIds": [job_id]})["JobSet"][0]["JobState"] == "SUBMITTED"
    assert b("DescribeJobSubmitInfo", {"JobId": job_id})["Tasks"][0]["TaskName"] == "A"
    clock.advance(40)
    assert b("DescribeJob", {"JobId": job_id})["JobState"] != "SUBMITTED"
    b("TerminateTaskInstance", {"JobId": job_id, "TaskName": "A", "TaskInstanceIndex": 0})
    clock.advance(5)
    assert b("DescribeTask", {"JobId": job_id, "TaskName": "A"})["TaskState"] == "FAILED"
    b("DescribeTaskLogs", {"JobId": job_id, "TaskName": "A"})
    b(
        "DescribeJobMonitorData",
        {"JobId": job_id, "TaskName": "A", "TaskInstanceIndex": 0, "MetricName": "CpuUsage"},
    )
    b("RetryJobs", {"JobIds": [job_id]})
    clock.advance(30)
    b("TerminateJob", {"JobId": job_id})
    clock.advance(10)
    b("DeleteJob", {"JobId": job_id})

    template_id = b("CreateTaskTemplate", {"TaskTemplateName": "t", "TaskTemplateInfo": task})[
        "TaskTemplateId"
    ]
    b("ModifyTaskTemplate", {"TaskTemplateId": template_id, "TaskTemplateDescription": "d"})
    assert b("DescribeTaskTemplates", {"TaskTemplateIds": [template_id]})["TotalCount"] == 1
    b("DeleteTaskTemplates", {"TaskTemplateIds": [template_id]})

    assert b("DescribeAvailableCvmInstanceTypes")["InstanceTypeConfigSet"]
    assert b("DescribeCvmZoneInstanceConfigInfos")["InstanceTypeQuotaSet"]
    assert b("DescribeInstanceCategories")["InstanceCategorySet"]
    assert done == set(scenarios.PRODUCTS[0].actions)


def test_every_omics_action(emulator_account, emulator, clock):
    done: set[str] = set()

    def o(action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        done.add(action)
        return omics(emulator_account, action, params)

    env_id = o("DescribeEnvironments", {"Filters": [{"Name": "Status", "Values": ["RUNNING"]}]})[
        "Environments"
    ][0]["EnvironmentId"]
    assert o("DescribeVolumes", {"EnvironmentId": env_id})["TotalCount"] == 1
    assert o("DescribeProjects")["TotalCount"] == 2  # the default project and "rnaseq-lab"
    groups = o("DescribeRunGroups", {"Limit": 100})["RunGroups"]
    app_id = next(g["ApplicationId"] for g in groups if g["ApplicationType"] == "WDL")
    project = groups[0]["ProjectId"]
    table_id = o("DescribeTables", {"ProjectId": project})["Tables"][0]["TableId"]
    assert o("DescribeTablesRows", {"ProjectId": project, "TableId": table_id})["TotalCount"] == 6
    group_id = o(
        "RunApplication",
        {
            "ApplicationId": app_id,
            "Name": "gw-test",
            "EnvironmentId": env_id,
            "InputBase64": base64.b64encode(b"{}").decode(),
        },
    )["RunGroupId"]
    clock.advance(40)
    run = o("DescribeRuns", {"Filters": [{"Name": "RunGroupId", "Values": [group_id]}]})["Runs"][0]
    assert o("GetRunStatus", {"RunUuid": run["RunUuid"]})["Metadata"]["Status"] == "RUNNING"
    assert o("GetRunCalls", {"RunUuid": run["RunUuid"], "Path": "/"})["Calls"]
    o("TerminateRunGroup", {"RunGroupId": group_id})
    assert o("RetryRuns", {"RunGroupId": group_id})["RunGroupId"] != group_id
    nf = o(
        "RunWorkflow",
        {
            "Name": "nf",
            "EnvironmentId": env_id,
            "Type": "NEXTFLOW",
            "NFOption": {"Report": True},
            "GitSource": {"GitHttpPath": "https://git.example/nf.git"},
            "InputBase64": base64.b64encode(json.dumps({"a": 1}).encode()).decode(),
        },
    )["RunGroupId"]
    clock.advance(40)
    nf_run = o("DescribeRuns", {"Filters": [{"Name": "RunGroupId", "Values": [nf]}]})["Runs"][0]
    assert o("GetRunMetadataFile", {"RunUuid": nf_run["RunUuid"], "Key": "nextflow.log"})[
        "CosSignedUrl"
    ]
    assert done == set(scenarios.PRODUCTS[1].actions)


def test_reads_are_retried_through_transient_errors(emulator_account, emulator):
    emulator.faults.set("DescribeJobs", Fault(internal_error=0.5))
    for _ in range(5):
        assert "JobSet" in batch(emulator_account, "DescribeJobs", {"Limit": 1})


def test_writes_are_never_retried(emulator_account, emulator):
    emulator.faults.set("RetryJobs", Fault(internal_error=1.0))
    failed = batch(
        emulator_account, "DescribeJobs", {"Filters": [{"Name": "job-state", "Values": ["FAILED"]}]}
    )
    with pytest.raises(errors.Unavailable):
        batch(emulator_account, "RetryJobs", {"JobIds": [failed["JobSet"][0]["JobId"]]})
    stats = emulator.stats.snapshot()["calls"]
    assert next(r for r in stats if r["action"] == "RetryJobs")["answered"] == 1


def test_a_busy_bucket_raises_throttled_without_blocking(emulator_account):
    batch(emulator_account, "DescribeJobs", {"Limit": 1})
    with pytest.raises(gateway.Throttled) as caught:
        gateway.cloud_call(
            Scope(emulator_account, REGION), "batch", "DescribeJobs", {"Limit": 1}, block=False
        )
    assert 0 < caught.value.wait <= 0.5 * (1 + WINDOW_MARGIN)  # 2/s at a budget share of 1.0


def test_the_budget_share_sets_the_rate(emulator_account):
    emulator_account.budget_share = 0.25
    batch(emulator_account, "DescribeJobs", {"Limit": 1})
    with pytest.raises(gateway.Throttled) as caught:
        gateway.cloud_call(
            Scope(emulator_account, REGION), "batch", "DescribeJobs", {"Limit": 1}, block=False
        )
    assert 1.5 < caught.value.wait <= 2.0 * (1 + WINDOW_MARGIN)  # 2/s x 0.25: one call every 2 s


def test_a_rate_limited_call_slows_the_bucket_even_when_it_gives_up(emulator_account, emulator):
    from apps.cloud.throttle import Bucket

    emulator.limits.enabled = True
    emulator.limits.other_client_share = 0.999  # the budget is all spent by somebody else
    for _ in range(4):  # the other client leaves none of the 2/s: refused at once
        try:
            gateway.cloud_call(
                Scope(emulator_account, REGION), "batch", "DescribeJobs", {"Limit": 1}
            )
        except errors.RateLimited:
            break
    counters = gateway.throttle().counters(
        Bucket(str(emulator_account.pk), REGION, "batch", "DescribeJobs"), 2.0
    )
    assert counters["limit_errors"] >= 1 and counters["rate"] < 2.0


def test_json_logs_carry_the_request_id(emulator_account, caplog):
    import json
    import logging

    from dashboard.jsonlog import JsonFormatter

    with caplog.at_level(logging.DEBUG, logger="apps.cloud.gateway"):
        reply = batch(emulator_account, "DescribeJobs", {"Limit": 1})
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["request_id"] == reply["RequestId"] and line["action"] == "DescribeJobs"
