"""The naive planner bench/freshness.py compares with: one DescribeJob per active job, round
robin (plus the newest DescribeJobs page every 10 s, so it learns of new jobs at all).
Loaded by the workers through SYNC_STREAM_MODULES=bench.naive_planner; never in production."""

from __future__ import annotations

from django.utils import timezone

from apps.batch import api, services
from apps.batch.models import ACTIVE_STATES, Job
from apps.cloud.errors import NotFound
from apps.cloud.models import CloudAccount
from apps.sync.streams import Cursor, Step, stream


@stream("naive.discover", service="batch")
def discover(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    page = api.describe_jobs(account, region, offset=0, limit=100)
    services.jobs_upsert(account=account, region=region, records=page.items, now=timezone.now())
    return Step({}, 10.0)


@stream("naive.jobs", service="batch")
def round_robin(account: CloudAccount, region: str, cursor: Cursor) -> Step:
    active = list(
        Job.objects.filter(account=account, region=region, state__in=ACTIVE_STATES, gone_at=None)
        .order_by("job_id")
        .values_list("job_id", flat=True)
    )
    if not active:
        return Step({}, 1.0, called=False)
    after = cursor.get("after", "")
    job_id = next((j for j in active if j > after), active[0])
    try:
        detail = api.describe_job(account, region, job_id)
    except NotFound:
        services.jobs_mark_gone(
            account=account, region=region, job_ids=[job_id], now=timezone.now()
        )
    else:
        services.job_detail_apply(account=account, region=region, detail=detail, now=timezone.now())
    return Step({"after": job_id})
