"""Every action's frequency limit, transcribed here from its documentation page, against the
client's table (apps/cloud/limits.py) and the emulator's (each handler's `limit=`).

The three are kept apart on purpose: the emulator stands for the cloud, so a client table that
merely copied it (or the other way round) would agree with itself and never fail. Neither is
imported to build this table."""

from __future__ import annotations

import pytest

from apps.cloud.limits import LIMITS, limit_for
from apps.emulator import scenarios

BATCH_PAGE = "https://www.tencentcloud.com/document/api/599/"
OMICS_PAGE = "https://cloud.tencent.com/document/api/1643/"
# Omics actions the 2023 document set has no page for: the product-wide "默认接口请求频率限制：
# 20次/秒" that every Omics page carries (https://cloud.tencent.com/document/api/1643/89099).
OMICS_DEFAULT = "https://cloud.tencent.com/document/api/1643/89099 (product default)"

# action: (requests per second, the page saying "A maximum of N requests ... per second")
BATCH: dict[str, tuple[float, str]] = {
    "AttachInstances": (20, BATCH_PAGE + "34863"),
    "CreateComputeEnv": (2, BATCH_PAGE + "30521"),
    "DeleteComputeEnv": (2, BATCH_PAGE + "30519"),
    "DescribeComputeEnv": (2, BATCH_PAGE + "30517"),
    "DescribeComputeEnvActivities": (2, BATCH_PAGE + "30515"),
    "DescribeComputeEnvCreateInfo": (2, BATCH_PAGE + "30513"),
    "DescribeComputeEnvCreateInfos": (20, BATCH_PAGE + "30511"),
    "DescribeComputeEnvs": (2, BATCH_PAGE + "30509"),
    "DetachInstances": (20, BATCH_PAGE + "34862"),
    "ModifyComputeEnv": (2, BATCH_PAGE + "30507"),
    "TerminateComputeNode": (20, BATCH_PAGE + "30505"),
    "TerminateComputeNodes": (20, BATCH_PAGE + "30485"),
    "CreateTaskTemplate": (2, BATCH_PAGE + "30569"),
    "DeleteTaskTemplates": (2, BATCH_PAGE + "30567"),
    "DescribeTaskTemplates": (2, BATCH_PAGE + "30565"),
    "ModifyTaskTemplate": (2, BATCH_PAGE + "30491"),
    "DeleteJob": (30, BATCH_PAGE + "30563"),
    "DescribeJob": (2, BATCH_PAGE + "30561"),
    "DescribeJobSubmitInfo": (2, BATCH_PAGE + "30559"),
    "DescribeJobs": (2, BATCH_PAGE + "30557"),
    "DescribeTask": (3, BATCH_PAGE + "30555"),
    "DescribeTaskLogs": (20, BATCH_PAGE + "30553"),
    "RetryJobs": (2, BATCH_PAGE + "30551"),
    "TerminateJob": (2, BATCH_PAGE + "30547"),
    "TerminateTaskInstance": (2, BATCH_PAGE + "30489"),
    # deleted from the document set in its Release 6; its page is still in the PDF
    "SubmitJob": (7, "the SubmitJob page of the BatchCompute API PDF"),
    "DescribeAvailableCvmInstanceTypes": (2, BATCH_PAGE + "30545"),
    "DescribeCvmZoneInstanceConfigInfos": (5, BATCH_PAGE + "30543"),
    "DescribeInstanceCategories": (20, BATCH_PAGE + "30487"),
    # also https://cloud.tencent.com/document/api/599/120596 ("默认接口请求频率限制：20次/秒")
    "DescribeJobMonitorData": (20, BATCH_PAGE + "79985"),
}
OMICS: dict[str, tuple[float, str]] = {
    "CreateEnvironment": (20, OMICS_PAGE + "90909"),
    "DescribeEnvironments": (20, OMICS_PAGE + "90907"),
    "DeleteEnvironment": (20, OMICS_PAGE + "90908"),
    "CreateVolume": (20, OMICS_PAGE + "104065"),
    "DeleteVolume": (20, OMICS_PAGE + "104064"),
    "DeleteVolumeData": (20, OMICS_PAGE + "104063"),
    "ModifyVolume": (20, OMICS_PAGE + "104061"),
    "DescribeVolumes": (20, OMICS_PAGE + "104062"),
    "DescribeRunGroups": (20, OMICS_PAGE + "89099"),
    "DescribeRuns": (20, OMICS_PAGE + "89098"),
    "GetRunCalls": (20, OMICS_PAGE + "89097"),
    "GetRunMetadataFile": (20, OMICS_PAGE + "100858"),
    "GetRunStatus": (20, OMICS_PAGE + "89096"),
    "TerminateRunGroup": (20, OMICS_PAGE + "100856"),
    "ImportTableFile": (20, OMICS_PAGE + "89095"),
    "RunApplication": (20, OMICS_PAGE + "89094"),
    "RunWorkflow": (20, OMICS_PAGE + "100857"),
    "DescribeTables": (20, OMICS_PAGE + "90980"),
    "DescribeTablesRows": (20, OMICS_PAGE + "90979"),
    "RetryRuns": (20, OMICS_PAGE + "90978"),
    "DescribeProjects": (20, "https://cloud.tencent.com/document/product/1643/130409"),
    "DeleteEnvironmentCache": (20, OMICS_DEFAULT),
    "DescribeApplicationVersions": (20, OMICS_DEFAULT),
    "DescribeApplications": (20, OMICS_DEFAULT),
    "DescribeHPCClusters": (20, OMICS_DEFAULT),
    "DescribeHPCNodes": (20, OMICS_DEFAULT),
    "DescribeInputTemplates": (20, OMICS_DEFAULT),
    "DescribePublicApplications": (20, OMICS_DEFAULT),
    "GetInputTemplateFile": (20, OMICS_DEFAULT),
    "GetRunJobLog": (20, OMICS_DEFAULT),
    "ImportCommonApplication": (20, OMICS_DEFAULT),
    "RebootHPCNodes": (20, OMICS_DEFAULT),
}
DOCUMENTED = {"batch": BATCH, "omics": OMICS}
SDK_CLIENTS = {
    "batch": "tencentcloud.batch.v20170312.batch_client.BatchClient",
    "omics": "tencentcloud.omics.v20221128.omics_client.OmicsClient",
}


def sdk_actions(service: str) -> set[str]:
    """The actions of the official SDK's client: its public methods named like actions."""
    module, _, name = SDK_CLIENTS[service].rpartition(".")
    client = getattr(__import__(module, fromlist=[name]), name)
    return {m for m in vars(client) if m[0].isupper() and callable(getattr(client, m))}


def emulator_actions(service: str) -> dict[str, float]:
    product = next(p for p in scenarios.PRODUCTS if p.service == service)
    return {name: action.limit for name, action in product.actions.items()}


@pytest.mark.parametrize("service", ["batch", "omics"])
def test_this_table_names_every_action_of_the_official_sdk(service):
    assert set(DOCUMENTED[service]) == sdk_actions(service)


@pytest.mark.parametrize("service", ["batch", "omics"])
def test_the_clients_table_holds_every_action_at_its_documented_rate(service):
    client = {action: limit_for(service, action) for action in DOCUMENTED[service]}
    assert client == {action: rate for action, (rate, _) in DOCUMENTED[service].items()}


@pytest.mark.parametrize("service", ["batch", "omics"])
def test_the_emulator_answers_each_action_at_its_documented_rate(service):
    documented = {action: rate for action, (rate, _) in DOCUMENTED[service].items()}
    served = emulator_actions(service)
    assert served == {action: documented.get(action) for action in served}


@pytest.mark.parametrize("service", ["batch", "omics"])
def test_every_action_the_emulator_answers_is_in_the_clients_table(service):
    # limit_for falls back to the strictest rate for an action it does not know; an action
    # the emulator answers must never be one of those.
    assert set(emulator_actions(service)) - set(LIMITS[service]) == set()
