"""Documented frequency limits, requests per second per action (per account and region).

Batch: each action's page under https://www.tencentcloud.com/document/api/599/ says "A maximum
of N requests can be initiated per second for this API".
Omics: each action's page under https://cloud.tencent.com/document/api/1643/ says
"默认接口请求频率限制：20次/秒".
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
    # Not in the API docs (it postdates them; the official SDK has it): the Batch default assumed.
    "DescribeJobMonitorData": 2,
}

OMICS_DEFAULT_LIMIT = 20.0
# An action we know nothing about gets the strictest documented limit.
UNKNOWN_ACTION_LIMIT = 2.0


def limit_for(service: str, action: str) -> float:
    if service == "batch":
        return float(BATCH_LIMITS.get(action, UNKNOWN_ACTION_LIMIT))
    if service == "omics":
        return OMICS_DEFAULT_LIMIT
    return UNKNOWN_ACTION_LIMIT


def is_read(action: str) -> bool:
    """Reads may be retried; anything that changes state is never retried blindly."""
    return action.startswith(("Describe", "Get"))
