"""/metrics in the Prometheus text format, for the operators' own monitoring.

Restricted by settings: METRICS_ALLOWED_IPS (default 127.0.0.1 and ::1) and METRICS_TOKEN as a
bearer token (required outside DEBUG). No sign-in (a scraper has none), never a secret.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.actions.models import Operation
from apps.audit.models import AuditEvent
from apps.cloud.gateway import budget_snapshot
from apps.sync import coordination
from apps.sync.models import SyncHealth


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


Sample = tuple[Mapping[str, object], float]  # (labels, value)


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # counter | gauge
    help: str

    def lines(self, samples: Iterable[Sample]) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        for labels, value in samples:
            rendered = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            out.append(f"{self.name}{{{rendered}}} {value}" if rendered else f"{self.name} {value}")
        return out


# The limiter's counters, per bucket (account, region, service, action): the snapshot's key.
BUDGET = {
    "calls": Metric("jobdeck_cloud_calls_total", "counter", "Cloud calls granted by the limiter."),
    "waits": Metric(
        "jobdeck_limiter_waits_total", "counter", "Calls that had to wait for the limiter."
    ),
    "limit_errors": Metric(
        "jobdeck_rate_limit_errors_total", "counter", "RequestLimitExceeded answers from the cloud."
    ),
    "rate": Metric(
        "jobdeck_limiter_rate", "gauge", "Current rate of each bucket (requests per second)."
    ),
}
BUCKET = ("account", "region", "service", "action")
SYNC_AGE = Metric("jobdeck_sync_age_seconds", "gauge", "Seconds since each stream last succeeded.")
SYNC_ERRORS = Metric("jobdeck_sync_errors_total", "counter", "Failed steps of each stream.")
QUEUES = Metric("jobdeck_sync_queue_length", "gauge", "Objects waiting for details, per queue.")
OPERATIONS = Metric("jobdeck_operations_total", "counter", "Operator actions by outcome.")
ACTION_CALLS = Metric(
    "jobdeck_action_calls_total", "counter", "Action calls sent to the cloud, by outcome."
)


def _allowed(request: HttpRequest) -> bool:
    if request.META.get("REMOTE_ADDR", "") not in settings.METRICS_ALLOWED_IPS:
        return False
    if settings.METRICS_TOKEN:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given, settings.METRICS_TOKEN)
    # Without a token only a developer's DEBUG process answers: behind a proxy on the same host
    # every client's address is the proxy's, so the address alone proves nothing.
    return settings.DEBUG


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    now = timezone.now()
    budget = budget_snapshot()
    lines: list[str] = []
    for key, metric in BUDGET.items():
        lines += metric.lines(({k: b[k] for k in BUCKET}, b[key]) for b in budget)
    health = list(SyncHealth.objects.select_related("account"))
    streams = [{"account": h.account.name, "region": h.region, "stream": h.stream} for h in health]
    ages = [
        round((now - h.last_success_at).total_seconds(), 1) if h.last_success_at else -1
        for h in health
    ]
    lines += SYNC_AGE.lines(zip(streams, ages, strict=True))
    errors = [
        (labels | {"code": h.last_error_code}, h.errors)
        for labels, h in zip(streams, health, strict=True)
    ]
    lines += SYNC_ERRORS.lines(errors)
    queues = coordination.queue_lengths()
    lines += QUEUES.lines(({"queue": name}, n) for name, n in sorted(queues.items()))
    by_outcome = ("action", "status")
    outcomes = Operation.objects.values(*by_outcome).annotate(n=Count("pk")).order_by(*by_outcome)
    lines += OPERATIONS.lines(({k: o[k] for k in by_outcome}, o["n"]) for o in outcomes)
    # One audit event per call: "unknown" counts calls whose answer was lost (never resent).
    cloud_calls = Q(action__startswith="batch.") | Q(action__startswith="omics.")
    calls = AuditEvent.objects.filter(cloud_calls).values(*by_outcome).annotate(n=Count("pk"))
    lines += ACTION_CALLS.lines(
        ({k: c[k] for k in by_outcome}, c["n"]) for c in calls.order_by(*by_outcome)
    )
    body = "\n".join(lines) + "\n"
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
