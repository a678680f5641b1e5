"""/metrics in the Prometheus text format, for the operators' own monitoring.

Restricted by settings: METRICS_ALLOWED_IPS (default 127.0.0.1 and ::1) and, when set,
METRICS_TOKEN as a bearer token. No sign-in (a scraper has none), never a secret.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

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


def _lines(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, object], float]]
) -> list[str]:
    out = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        rendered = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        out.append(f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}")
    return out


def _allowed(request: HttpRequest) -> bool:
    if request.META.get("REMOTE_ADDR", "") not in settings.METRICS_ALLOWED_IPS:
        return False
    if settings.METRICS_TOKEN:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given, settings.METRICS_TOKEN)
    return True


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    now = timezone.now()
    budget = budget_snapshot()
    health = list(SyncHealth.objects.select_related("account"))
    lines: list[str] = []
    scope = ("account", "region", "service", "action")
    for metric, key, kind, text in (
        ("jobdeck_cloud_calls_total", "calls", "counter", "Cloud calls granted by the limiter."),
        (
            "jobdeck_limiter_waits_total",
            "waits",
            "counter",
            "Calls that had to wait for the limiter.",
        ),
        (
            "jobdeck_rate_limit_errors_total",
            "limit_errors",
            "counter",
            "RequestLimitExceeded answers from the cloud.",
        ),
        (
            "jobdeck_limiter_rate",
            "rate",
            "gauge",
            "Current rate of each bucket (requests per second).",
        ),
    ):
        lines += _lines(metric, kind, text, (({k: b[k] for k in scope}, b[key]) for b in budget))
    lines += _lines(
        "jobdeck_sync_age_seconds",
        "gauge",
        "Seconds since each stream last succeeded.",
        (
            (
                {"account": h.account.name, "region": h.region, "stream": h.stream},
                round((now - h.last_success_at).total_seconds(), 1) if h.last_success_at else -1,
            )
            for h in health
        ),
    )
    lines += _lines(
        "jobdeck_sync_errors_total",
        "counter",
        "Failed steps of each stream.",
        (
            (
                {
                    "account": h.account.name,
                    "region": h.region,
                    "stream": h.stream,
                    "code": h.last_error_code,
                },
                h.errors,
            )
            for h in health
        ),
    )
    queues = coordination.queue_lengths()
    lines += _lines(
        "jobdeck_sync_queue_length",
        "gauge",
        "Objects waiting for details, per queue.",
        (({"queue": name}, n) for name, n in sorted(queues.items())),
    )
    outcomes = (
        Operation.objects.values("action", "status")
        .annotate(n=Count("pk"))
        .order_by("action", "status")
    )
    lines += _lines(
        "jobdeck_operations_total",
        "counter",
        "Operator actions by outcome.",
        (({"action": o["action"], "status": o["status"]}, o["n"]) for o in outcomes),
    )
    # One audit event per call: "unknown" counts calls whose answer was lost (never resent).
    calls = (
        AuditEvent.objects.filter(Q(action__startswith="batch.") | Q(action__startswith="omics."))
        .values("action", "status")
        .annotate(n=Count("pk"))
        .order_by("action", "status")
    )
    lines += _lines(
        "jobdeck_action_calls_total",
        "counter",
        "Action calls sent to the cloud, by outcome.",
        (({"action": c["action"], "status": c["status"]}, c["n"]) for c in calls),
    )
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )
