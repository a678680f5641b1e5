"""The demo's proof of life: the worker asks the cloud for its jobs; the home page shows it."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.core.cache import cache

from apps.cloud.errors import CloudError
from apps.cloud.gateway import Throttled, cloud_call
from apps.cloud.models import CloudAccount

PROBE_CACHE_KEY = "cloud:probe"


def probe_cloud() -> dict[str, Any]:
    """One DescribeJobs call (the newest 100 jobs) per enabled account, summarised into the cache."""
    account = CloudAccount.objects.filter(enabled=True).first()
    started = time.time()
    result: dict[str, Any] = {"checked_at": started}
    if account is None:
        result.update(ok=False, code="NoAccount", message="No enabled cloud account.")
    else:
        region = account.regions[0]
        result.update(account=account.name, region=region)
        try:
            response = cloud_call(
                account, region, "batch", "DescribeJobs", {"Limit": 100}, block=False
            )
        except Throttled as err:
            result.update(ok=False, code="Throttled", message=str(err))
        except CloudError as err:
            result.update(ok=False, code=err.code, message=err.message, request_id=err.request_id)
        else:
            states = Counter(job["JobState"] for job in response.get("JobSet", []))
            result.update(ok=True, total=response.get("TotalCount", 0), states=dict(sorted(states.items())),
                          request_id=response.get("RequestId", ""))  # fmt: skip
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    cache.set(PROBE_CACHE_KEY, result, timeout=None)
    return result
