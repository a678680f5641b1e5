"""The audit page: every action and account change of the user's teams, filterable."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.audit.models import AuditStatus
from apps.audit.selectors import events_for
from apps.ui.params import Params


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    events = events_for(request.user)
    params = Params(request.GET)
    filters = {
        "user": params.text("user", _("User")),
        "action": params.text("action", _("Action")),
        "status": params.text("status", _("Status")),
        "target": params.text("target", _("Target")),
    }
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
        {
            "page": page,
            "filters": filters,
            "statuses": [s.value for s in AuditStatus],
            "problems": params.problems,
        },
    )
