"""Omics pages: environments, run groups with status counts, runs, a run's calls as a timeline."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.actions.catalog import available
from apps.actions.services import can_act
from apps.audit.views import events_for
from apps.batch import selectors as shared
from apps.omics import selectors
from apps.omics.models import GROUP_ENDED, RUN_ENDED, RunGroupStatus
from apps.sync.coordination import record_interest
from apps.ui.htmx import page_or_fragment


@require_GET
@vary_on_headers("HX-Request")
def run_group_list(request: HttpRequest) -> HttpResponse:
    accounts = shared.visible_accounts(request.user)
    status, text = request.GET.get("status", ""), request.GET.get("q", "").strip()
    page = Paginator(selectors.run_groups(accounts, status=status, text=text), 50).get_page(
        request.GET.get("page")
    )
    groups = list(page.object_list)
    context = {
        "page": page,
        "groups": groups,
        "status": status,
        "text": text,
        "statuses": [s.value for s in RunGroupStatus],
        "moving": any(g.status not in GROUP_ENDED for g in groups),
        "freshness": shared.freshness(accounts, "omics.run"),
    }
    return page_or_fragment(
        request, "omics/run_group_list.html", "group-rows", context, done=not context["moving"]
    )


@require_GET
def environment_list(request: HttpRequest) -> HttpResponse:
    accounts = shared.visible_accounts(request.user)
    return render(
        request,
        "omics/environment_list.html",
        {
            "environments": selectors.environments(accounts),
            "volumes": selectors.volumes(accounts),
            "freshness": shared.freshness(accounts, "omics.environments"),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def run_group_detail(request: HttpRequest, run_group_id: str) -> HttpResponse:
    accounts = shared.visible_accounts(request.user)
    group = selectors.run_group_for(accounts, run_group_id)
    if group is None:
        raise Http404("No such run group in the cache (yet).")
    record_interest("run_group", f"{group.account_id}:{group.region}", group.run_group_id)
    context = {
        "group": group,
        "runs": selectors.runs_of(group),
        "ended": group.status in GROUP_ENDED,
        "freshness": shared.freshness(accounts, "omics.run"),
        "can_act": can_act(request.user, group.account),
        "actions": available("run_group", group) if can_act(request.user, group.account) else [],
        "audit": events_for(request.user).filter(targets__icontains=group.run_group_id)[:10],
    }
    return page_or_fragment(
        request, "omics/run_group_detail.html", "group-live", context, done=context["ended"]
    )


@require_GET
@vary_on_headers("HX-Request")
def run_detail(request: HttpRequest, run_uuid: str) -> HttpResponse:
    accounts = shared.visible_accounts(request.user)
    run = selectors.run_for(accounts, run_uuid)
    if run is None:
        raise Http404("No such run in the cache (yet).")
    record_interest("run", f"{run.account_id}:{run.region}", run.run_uuid)
    context = {
        "run": run,
        "calls": selectors.calls_of(run),
        "ended": run.status in RUN_ENDED,
        "now": timezone.now(),
        "freshness": shared.freshness(accounts, "omics.calls"),
    }
    return page_or_fragment(
        request, "omics/run_detail.html", "run-live", context, done=context["ended"]
    )
