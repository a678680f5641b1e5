"""Documented frequency limits, requests per second per action (per account and region).

Batch: each action's page under https://www.tencentcloud.com/document/api/599/ says "A maximum
of N requests can be initiated per second for this API".
Omics: each action's page under https://cloud.tencent.com/document/api/1643/ says
"默认接口请求频率限制：20次/秒".

These tables are the client's own: the emulator declares its rates beside its handlers and
`tests/cloud/test_documented_limits.py` holds a third copy from the docs, so that a wrong rate
here fails a test instead of agreeing with itself.
"""

from __future__ import annotations

BATCH_LIMITS: dict[str, float] = {
    "AttachInstances": 20,
    "CreateComputeEnv": 2,
    "DeleteComputeEnv": 2,
    "DescribeComputeEnv": 2,
    "DescribeComputeEnvActivities": 2,
    "DescribeComputeEnvCreateInfo": 2,
    "DescribeComputeEnvCreateInfos": 20,
    "DescribeComputeEnvs": 2,
    "DetachInstances": 20,
    "ModifyComputeEnv": 2,
    "TerminateComputeNode": 20,
    "TerminateComputeNodes": 20,
    "CreateTaskTemplate": 2,
    "DeleteTaskTemplates": 2,
    "DescribeTaskTemplates": 2,
    "ModifyTaskTemplate": 2,
    "DeleteJob": 30,
    "DescribeJob": 2,
    "DescribeJobSubmitInfo": 2,
    "DescribeJobs": 2,
    "DescribeTask": 3,
    "DescribeTaskLogs": 20,
    "RetryJobs": 2,
    "TerminateJob": 2,
    "TerminateTaskInstance": 2,
    "SubmitJob": 7,
    "DescribeAvailableCvmInstanceTypes": 2,
    "DescribeCvmZoneInstanceConfigInfos": 5,
    "DescribeInstanceCategories": 20,
    # Newer than the 2023 API document set; its own page says 20: "A maximum of 20 requests can
    # be initiated per second for this API" (https://www.tencentcloud.com/document/api/599/79985)
    # and "默认接口请求频率限制：20次/秒" (https://cloud.tencent.com/document/api/599/120596).
    "DescribeJobMonitorData": 20,
}

# Every action of the official SDK's omics_client.py (2022-11-28). Each documented page says
# "默认接口请求频率限制：20次/秒" (e.g. https://cloud.tencent.com/document/api/1643/89099); the
# actions the 2023 document set has no page for (DescribeProjects, DescribeApplications, ...)
# are taken at the same product-wide default.
OMICS_LIMITS: dict[str, float] = {
    name: 20
    for name in (
        "CreateEnvironment",
        "CreateVolume",
        "DeleteEnvironment",
        "DeleteEnvironmentCache",
        "DeleteVolume",
        "DeleteVolumeData",
        "DescribeApplicationVersions",
        "DescribeApplications",
        "DescribeEnvironments",
        "DescribeHPCClusters",
        "DescribeHPCNodes",
        "DescribeInputTemplates",
        "DescribeProjects",
        "DescribePublicApplications",
        "DescribeRunGroups",
        "DescribeRuns",
        "DescribeTables",
        "DescribeTablesRows",
        "DescribeVolumes",
        "GetInputTemplateFile",
        "GetRunCalls",
        "GetRunJobLog",
        "GetRunMetadataFile",
        "GetRunStatus",
        "ImportCommonApplication",
        "ImportTableFile",
        "ModifyVolume",
        "RebootHPCNodes",
        "RetryRuns",
        "RunApplication",
        "RunWorkflow",
        "TerminateRunGroup",
    )
}

LIMITS: dict[str, dict[str, float]] = {"batch": BATCH_LIMITS, "omics": OMICS_LIMITS}
# An action we know nothing about gets the strictest documented limit.
UNKNOWN_ACTION_LIMIT = 2.0


def limit_for(service: str, action: str) -> float:
    return float(LIMITS.get(service, {}).get(action, UNKNOWN_ACTION_LIMIT))


def is_read(action: str) -> bool:
    """Reads may be retried; anything that changes state is never retried blindly."""
    return action.startswith(("Describe", "Get"))
