"""Batch pages. They read the database only; a page that shows an object records interest, so
the sync engine refreshes that object first. With HTMX a view answers only its fragment."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.actions.catalog import available
from apps.actions.services import can_act
from apps.audit.views import events_for
from apps.batch import search as search_terms
from apps.batch import selectors
from apps.batch.models import ENDED_STATES, JobState
from apps.cloud.gateway import budget_snapshot
from apps.omics import selectors as omics_selectors
from apps.sync.coordination import record_interest
from apps.sync.infra import redis_up_for
from apps.ui.htmx import page_or_fragment

PAGE_SIZE = 50
INSTANCE_PAGE = 50


def _interest(kind: str, obj: object) -> None:
    record_interest(kind, f"{obj.account_id}:{obj.region}", getattr(obj, f"{kind}_id"))  # type: ignore[attr-defined]


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    context = {
        "scopes": selectors.overview(accounts),
        "run_groups": omics_selectors.run_group_counts(accounts),
        "health": selectors.stream_health(accounts, ""),
        "budget": budget_snapshot(accounts) if redis_up_for(request) else [],
        "freshness": selectors.freshness(accounts, "batch."),
        "failures_since": selectors.failures_since().isoformat(timespec="minutes"),
        "audit": events_for(request.user)[:10],
    }
    return render(request, "batch/overview.html", context)


@require_GET
@vary_on_headers("HX-Request")
def job_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    query = selectors.JobQuery.from_params(request.GET)
    page = Paginator(selectors.jobs(accounts, query), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    context = {
        "page": page,
        "jobs": rows,
        "query": query,
        "states": [s.value for s in JobState],
        "sorts": list(selectors.SORTS),
        "freshness": selectors.freshness(accounts, "batch.jobs"),
        "moving": selectors.has_moving(rows),
        "acting": any(can_act(request.user, a) for a in accounts),
        "search_query": " ".join(filter(None, [query.text])),
    }
    return page_or_fragment(
        request, "batch/job_list.html", "job-rows", context, done=not context["moving"]
    )


@require_GET
@vary_on_headers("HX-Request")
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    job = selectors.job_for(accounts, job_id)
    if job is None:
        raise Http404("No such job in the cache (yet).")
    _interest("job", job)
    task_filter, state_filter = request.GET.get("task", ""), request.GET.get("state", "")
    instances = Paginator(
        selectors.instances_of(job, task=task_filter, state=state_filter), INSTANCE_PAGE
    )
    tasks = selectors.tasks_of(job)
    context = {
        "job": job,
        "tasks": tasks,
        "edges": [(d.get("StartTask", ""), d.get("EndTask", "")) for d in job.dependences],
        "instances": instances.get_page(request.GET.get("page")),
        "task_filter": task_filter,
        "state_filter": state_filter,
        "counts": selectors.instance_counts_over_time(job),
        "states": [s.value for s in JobState],
        "freshness": selectors.freshness(accounts, "batch.job"),
        "ended": job.state in ENDED_STATES,
        "now": timezone.now(),
        "actions": available("job", job) if can_act(request.user, job.account) else [],
        "audit": events_for(request.user).filter(targets__icontains=job.job_id)[:10],
    }
    return page_or_fragment(
        request, "batch/job_detail.html", "job-live", context, done=context["ended"]
    )


@require_GET
@vary_on_headers("HX-Request")
def instance_detail(request: HttpRequest, job_id: str, task: str, index: int) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    job = selectors.job_for(accounts, job_id)
    instance = selectors.instance_for(job, task, index) if job else None
    if instance is None:
        raise Http404("No such task instance in the cache (yet).")
    _interest("job", job)
    log = getattr(instance, "log", None)
    if request.GET.get("download") in ("stdout", "stderr"):
        stream = request.GET["download"]
        text = getattr(log, stream, "") if log else ""
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{stream}.{job.job_id}.{task}.{index}.log"'
        )
        return response
    samples = {}
    for metric, at, value in instance.samples.order_by("at").values_list("metric", "at", "value"):
        samples.setdefault(metric, []).append((at, value))
    context = {
        "job": job,
        "instance": instance,
        "log": log,
        "samples": samples,
        "ended": instance.state in ENDED_STATES,
        "freshness": selectors.freshness(accounts, "batch.logs"),
        "actions": available("instance", instance) if can_act(request.user, job.account) else [],
        "target": f"{job.job_id}/{task}/{index}",
        "audit": events_for(request.user).filter(targets__icontains=f"{job.job_id}/{task}/{index}")[
            :10
        ],
    }
    return page_or_fragment(
        request, "batch/instance_detail.html", "instance-live", context, done=context["ended"]
    )


@require_GET
def env_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    return render(
        request,
        "batch/env_list.html",
        {
            "envs": selectors.envs(accounts),
            "freshness": selectors.freshness(accounts, "batch.env"),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def env_detail(request: HttpRequest, env_id: str) -> HttpResponse:
    accounts = selectors.visible_accounts(request.user)
    env = selectors.env_for(accounts, env_id)
    if env is None:
        raise Http404("No such compute environment in the cache (yet).")
    _interest("env", env)
    context = {
        "env": env,
        "nodes": env.nodes.filter(gone_at=None).order_by("node_id"),
        "activities": env.activities.order_by("-started_at")[:50],
        "freshness": selectors.freshness(accounts, "batch.env"),
        "can_act": can_act(request.user, env.account),
        "audit": events_for(request.user).filter(targets__icontains=env.env_id)[:10],
    }
    return page_or_fragment(request, "batch/env_detail.html", "env-live", context, done=False)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Jump to an id (`job-…`, `env-…`, `node-…`, a run group, a run) or filter the lists with
    `key:value` terms (`state:FAILED env:env-1a2b name:align`)."""
    target = search_terms.resolve(
        selectors.visible_accounts(request.user), request.GET.get("q", "")
    )
    return redirect(target)
