"""Pages that span both products: the overview and the global search."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.accounts.access import visible_accounts
from apps.audit.selectors import events_for
from apps.batch import selectors as batch
from apps.cloud.gateway import budget_snapshot
from apps.omics import selectors as omics
from apps.sync.redis_health import redis_up_for
from apps.sync.selectors import freshness, not_served, stream_health
from apps.ui import search as search_terms
from apps.ui.params import Params


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    accounts = visible_accounts(request.user)
    context = {
        "scopes": batch.overview(accounts),
        "run_groups": omics.run_group_counts(accounts),
        "health": stream_health(accounts, ""),
        "not_served": not_served(accounts),
        "budget": budget_snapshot(accounts) if redis_up_for(request) else [],
        "freshness": freshness(accounts, "batch."),
        "failures_since": batch.failures_since().isoformat(timespec="minutes"),
        "audit": events_for(request.user)[:10],
    }
    return render(request, "ui/overview.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Jump to an id (`job-…`, `env-…`, `node-…`, a run group, a run) or filter the lists with
    `key:value` terms (`state:FAILED env:env-1a2b name:align`)."""
    params = Params(request.GET)
    text = params.text("q", _("Search"))
    for problem in params.problems:  # said on the job list, where an empty search leads
        messages.error(request, problem)
    return redirect(search_terms.resolve(visible_accounts(request.user), text))
