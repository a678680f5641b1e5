"""Checking an account: one cheap Describe call per service and region, through the limiter."""

from __future__ import annotations

from dataclasses import dataclass

from apps.cloud.errors import CloudError
from apps.cloud.gateway import cloud_call
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope

# The cheapest read of each service (one item).
PROBES = {
    "batch": ("DescribeComputeEnvs", {"Limit": 1}),
    "omics": ("DescribeEnvironments", {"Limit": 1}),
}


@dataclass(frozen=True)
class CheckResult:
    service: str
    region: str
    action: str
    ok: bool
    detail: str


def account_check(account: CloudAccount) -> list[CheckResult]:
    results = []
    for region in account.regions:
        for service, (action, params) in PROBES.items():
            try:
                response = cloud_call(Scope(account, region), service, action, params, max_wait=10)
            except CloudError as err:
                detail = f"{err.code}: {err.message}" + (
                    f" (RequestId {err.request_id})" if err.request_id else ""
                )
                results.append(CheckResult(service, region, action, False, detail))
            else:
                results.append(
                    CheckResult(
                        service, region, action, True, f"{response.get('TotalCount', 0)} found"
                    )
                )
    return results
