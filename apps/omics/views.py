"""Omics pages: environments, run groups with status counts, runs, a run's calls as a timeline."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.accounts.access import can_act, visible_accounts
from apps.actions.catalog import available
from apps.audit.selectors import events_about
from apps.omics import selectors
from apps.omics.models import RunGroupStatus
from apps.sync.models import Kind
from apps.sync.selectors import freshness
from apps.ui.htmx import HtmxHttpRequest, page_or_fragment
from apps.ui.pages import shown
from apps.ui.params import Params


@require_GET
@vary_on_headers("HX-Request")
def run_group_list(request: HtmxHttpRequest) -> HttpResponse:
    accounts = visible_accounts(request.user)
    params = Params(request.GET)
    status, text = params.text("status", _("Status")), params.text("q", _("Search"))
    project = params.text("project", _("Project"))
    found = selectors.run_groups(accounts, status=status, text=text, project=project)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    groups = list(page.object_list)
    context = {
        "page": page,
        "groups": groups,
        "status": status,
        "text": text,
        "statuses": [s.value for s in RunGroupStatus],
        "project": project,
        "projects": selectors.projects(accounts),
        "moving": any(not g.is_ended for g in groups),
        "freshness": freshness(accounts, "omics.run"),
        "problems": params.problems,
    }
    return page_or_fragment(
        request, "omics/run_group_list.html", "group-rows", context, done=not context["moving"]
    )


@require_GET
def environment_list(request: HttpRequest) -> HttpResponse:
    accounts = visible_accounts(request.user)
    return render(
        request,
        "omics/environment_list.html",
        {
            "environments": selectors.environments(accounts),
            "volumes": selectors.volumes(accounts),
            "freshness": freshness(accounts, "omics.environments"),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def run_group_detail(request: HtmxHttpRequest, run_group_id: str) -> HttpResponse:
    accounts = visible_accounts(request.user)
    missing = "No such run group in the cache (yet)."
    group = shown(selectors.run_group_for(accounts, run_group_id), missing)
    acting = can_act(request.user, group.account)
    context = {
        "group": group,
        "runs": selectors.runs_of(group),
        "ended": group.is_ended,
        "freshness": freshness(accounts, "omics.run"),
        "can_act": acting,
        "actions": available(Kind.RUN_GROUP, group) if acting else [],
        "audit": events_about(request.user, group.run_group_id),
    }
    return page_or_fragment(
        request, "omics/run_group_detail.html", "group-live", context, done=group.is_ended
    )


@require_GET
@vary_on_headers("HX-Request")
def run_detail(request: HtmxHttpRequest, run_uuid: str) -> HttpResponse:
    accounts = visible_accounts(request.user)
    run = shown(selectors.run_for(accounts, run_uuid), "No such run in the cache (yet).")
    context = {
        "run": run,
        "calls": selectors.calls_of(run),
        "ended": run.is_ended,
        "now": timezone.now(),
        "freshness": freshness(accounts, "omics.calls"),
    }
    return page_or_fragment(
        request, "omics/run_detail.html", "run-live", context, done=run.is_ended
    )
