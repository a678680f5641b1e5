"""Batch pages. They read the database only; a page that shows an object records interest, so
the sync engine refreshes that object first. With HTMX a view answers only its fragment."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.accounts.access import can_act, visible_accounts
from apps.actions.catalog import available
from apps.audit.selectors import events_about
from apps.batch import selectors
from apps.batch.downloads import download_name
from apps.batch.models import JobState
from apps.sync.models import Kind
from apps.sync.selectors import freshness
from apps.ui.htmx import HtmxHttpRequest, page_or_fragment
from apps.ui.pages import shown
from apps.ui.params import Params

PAGE_SIZE = 50
INSTANCE_PAGE = 50


@require_GET
@vary_on_headers("HX-Request")
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    accounts = visible_accounts(request.user)
    query = selectors.JobQuery.from_params(request.GET)
    page = Paginator(selectors.jobs(accounts, query), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    context = {
        "page": page,
        "jobs": rows,
        "query": query,
        "states": [s.value for s in JobState],
        "sorts": list(selectors.SORTS),
        "freshness": freshness(accounts, "batch.jobs"),
        "moving": selectors.has_moving(rows),
        "acting": any(can_act(request.user, a) for a in accounts),
        "search_query": " ".join(filter(None, [query.text])),
    }
    return page_or_fragment(
        request, "batch/job_list.html", "job-rows", context, done=not context["moving"]
    )


@require_GET
@vary_on_headers("HX-Request")
def job_detail(request: HtmxHttpRequest, job_id: str) -> HttpResponse:
    accounts = visible_accounts(request.user)
    job = shown(selectors.job_for(accounts, job_id), "No such job in the cache (yet).")
    params = Params(request.GET)
    task_filter, state_filter = params.text("task", _("Task")), params.text("state", _("State"))
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
        "freshness": freshness(accounts, "batch.job"),
        "ended": job.is_ended,
        "now": timezone.now(),
        "actions": available(Kind.JOB, job) if can_act(request.user, job.account) else [],
        "audit": events_about(request.user, job.job_id),
        "problems": params.problems,
    }
    return page_or_fragment(
        request, "batch/job_detail.html", "job-live", context, done=job.is_ended
    )


@require_GET
@vary_on_headers("HX-Request")
def instance_detail(request: HtmxHttpRequest, job_id: str, task: str, index: int) -> HttpResponse:
    accounts = visible_accounts(request.user)
    missing = "No such task instance in the cache (yet)."
    job = shown(selectors.job_for(accounts, job_id), missing)
    instance = selectors.instance_for(job, task, index)
    if instance is None:
        raise Http404(missing)
    log = getattr(instance, "log", None)
    if request.GET.get("download") in ("stdout", "stderr"):
        stream = request.GET["download"]
        text = getattr(log, stream, "") if log else ""
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        name = download_name(stream, job.job_id, task, str(index))
        # None only for an inline response without a name, which this never is.
        response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
        return response
    target = f"{job.job_id}/{task}/{index}"
    acting = can_act(request.user, job.account)
    samples: dict[str, list[tuple[datetime, float | None]]] = {}
    for metric, at, value in instance.samples.order_by("at").values_list("metric", "at", "value"):
        samples.setdefault(metric, []).append((at, value))
    context = {
        "job": job,
        "instance": instance,
        "log": log,
        "samples": samples,
        "ended": instance.is_ended,
        "freshness": freshness(accounts, "batch.logs"),
        "actions": available(Kind.INSTANCE, instance) if acting else [],
        "target": target,
        "audit": events_about(request.user, target),
    }
    return page_or_fragment(
        request, "batch/instance_detail.html", "instance-live", context, done=instance.is_ended
    )


@require_GET
def env_list(request: HttpRequest) -> HttpResponse:
    accounts = visible_accounts(request.user)
    return render(
        request,
        "batch/env_list.html",
        {
            "envs": selectors.envs(accounts),
            "freshness": freshness(accounts, "batch.env"),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def env_detail(request: HtmxHttpRequest, env_id: str) -> HttpResponse:
    accounts = visible_accounts(request.user)
    missing = "No such compute environment in the cache (yet)."
    env = shown(selectors.env_for(accounts, env_id), missing)
    context = {
        "env": env,
        "nodes": env.nodes.filter(gone_at=None).order_by("node_id"),
        "activities": env.activities.order_by("-started_at")[:50],
        "freshness": freshness(accounts, "batch.env"),
        "can_act": can_act(request.user, env.account),
        "audit": events_about(request.user, env.env_id),
    }
    return page_or_fragment(request, "batch/env_detail.html", "env-live", context, done=False)
