"""The naive planner bench/freshness.py compares with: one DescribeJob per active job, round
robin (plus the newest DescribeJobs page every 10 s, so it learns of new jobs at all).
Loaded by the workers through SYNC_STREAM_MODULES=bench.naive_planner; never in production."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from apps.batch import api, services
from apps.batch.models import ACTIVE_STATES, Job
from apps.cloud.errors import NotFound
from apps.cloud.scope import Scope
from apps.sync.streams import Step, stream


@dataclass(frozen=True)
class Nothing:
    """A stream that keeps no position."""


@stream("naive.discover", service="batch", cursor=Nothing)
def discover(scope: Scope, cursor: Nothing) -> Step[Nothing]:
    page = api.describe_jobs(scope, offset=0, limit=100)
    services.jobs_upsert(scope=scope, records=page.items, now=timezone.now())
    return Step(Nothing(), 10.0)


@dataclass(frozen=True)
class After:
    job_id: str = ""  # the job asked last: the next one is asked next


@stream("naive.jobs", service="batch", cursor=After)
def round_robin(scope: Scope, cursor: After) -> Step[After]:
    active = Job.objects.filter(**scope.lookup, state__in=ACTIVE_STATES, gone_at=None)
    job_ids = list(active.order_by("job_id").values_list("job_id", flat=True))
    if not job_ids:
        return Step(After(), 1.0, called=False)
    job_id = next((j for j in job_ids if j > cursor.job_id), job_ids[0])
    now = timezone.now()
    try:
        detail = api.describe_job(scope, job_id)
    except NotFound:
        services.jobs_mark_gone(scope=scope, job_ids=[job_id], now=now)
    else:
        services.job_detail_apply(scope=scope, detail=detail, now=now)
    return Step(After(job_id))
