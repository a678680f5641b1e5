"""The audit page: every action and account change of the user's teams, filterable."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.audit.models import AuditEvent, AuditStatus
from apps.batch.selectors import visible_accounts


def events_for(user: object) -> object:
    accounts = visible_accounts(user)
    teams = accounts.values("team")
    return AuditEvent.objects.filter(
        Q(account__in=accounts) | Q(account=None, team__in=teams)
    ).select_related("account")


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    events = events_for(request.user)
    filters = {k: request.GET.get(k, "").strip() for k in ("user", "action", "status", "target")}
    if filters["user"]:
        events = events.filter(username=filters["user"])
    if filters["action"]:
        events = events.filter(action__icontains=filters["action"])
    if filters["status"]:
        events = events.filter(status=filters["status"])
    if filters["target"]:
        events = events.filter(targets__icontains=filters["target"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_list.html",
        {"page": page, "filters": filters, "statuses": [s.value for s in AuditStatus]},
    )
