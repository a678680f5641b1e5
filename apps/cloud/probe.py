"""The demo's proof of life: the worker asks the cloud for its jobs; the home page shows it."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.cloud import client
from apps.cloud.errors import CloudError

PROBE_CACHE_KEY = "cloud:probe"


def probe_cloud() -> dict[str, Any]:
    """One DescribeJobs call (the newest 100 jobs), summarised into the cache."""
    started = time.time()
    result: dict[str, Any] = {"checked_at": started, "region": settings.TENCENTCLOUD_REGION}
    try:
        response = client.call(
            credentials=client.Credentials(
                settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY
            ),
            service="batch",
            action="DescribeJobs",
            region=settings.TENCENTCLOUD_REGION,
            params={"Limit": 100},
            endpoint=settings.TENCENTCLOUD_ENDPOINT,
            timeout=(settings.CLOUD_CONNECT_TIMEOUT, settings.CLOUD_READ_TIMEOUT),
        )
    except CloudError as err:
        result.update(ok=False, code=err.code, message=err.message, request_id=err.request_id)
    else:
        states = Counter(job["JobState"] for job in response.get("JobSet", []))
        result.update(ok=True, total=response.get("TotalCount", 0), states=dict(sorted(states.items())),
                      request_id=response.get("RequestId", ""))  # fmt: skip
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    cache.set(PROBE_CACHE_KEY, result, timeout=None)
    return result
