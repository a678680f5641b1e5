"""Operator actions: confirm (naming what will be affected and what skipped, and why), run in
the background, watch the progress, cancel what has not been sent. POST only for anything
that acts; CSRF-protected (HTMX sends the token); operators and admins only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.accounts.access import can_act, visible_accounts
from apps.actions.models import Operation
from apps.actions.services import (
    ActionRefused,
    NoSuchAction,
    NotPermitted,
    Reread,
    action_plan,
    eta_seconds,
    operation_cancel,
    operation_start,
    rereads,
)
from apps.sync.redis_health import redis_up
from apps.ui.back import local_path
from apps.ui.htmx import HtmxHttpRequest, page_or_fragment


def _back(request: HttpRequest) -> str:
    """Where to go after the action: the page it was asked from."""
    return local_path(request.POST.get("back", ""))


@require_POST
def action_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """The confirmation page (nothing happens yet); its form posts to `action_run`."""
    try:
        plan = action_plan(request.user, key, request.POST.getlist("target"))
    except NoSuchAction as err:
        raise Http404(str(err)) from None
    except ActionRefused as err:
        raise PermissionDenied(str(err)) from None
    return render(
        request, "actions/confirm.html", {"plan": plan, "key": key, "back": _back(request)}
    )


@require_POST
def action_run(request: HttpRequest, key: str) -> HttpResponse:
    if not redis_up():  # the queue would lose it: refuse plainly instead
        messages.error(
            request,
            "Redis is unreachable, so nothing can be sent now. Nothing was done; try again later.",
        )
        return redirect(_back(request))
    try:
        plan = action_plan(request.user, key, request.POST.getlist("target"))
        operation = operation_start(request.user, plan)
    except NoSuchAction as err:
        raise Http404(str(err)) from None
    except NotPermitted as err:
        raise PermissionDenied(str(err)) from None
    except ActionRefused as err:  # nothing to do, or mixed scopes: say so where they were
        messages.error(request, str(err))
        return redirect(_back(request))
    return redirect("actions:operation-detail", operation.pk)


def _operation_for(request: HttpRequest, operation_id: int) -> Operation:
    operation = (
        Operation.objects.filter(pk=operation_id, account__in=visible_accounts(request.user))
        .select_related("account", "user")
        .first()
    )
    if operation is None:
        raise Http404("No such operation.")
    return operation


@dataclass(frozen=True)
class TargetRow:
    """One target on the operation's page: its outcome, or the refusal it waits out."""

    key: str
    result: dict[str, Any] | None
    refused: dict[str, Any] | None  # its last refusal by the frequency limit, if any
    retry_at: datetime | None  # when it is sent again, while it waits
    reread: Reread | None  # for an unknown outcome: what the cloud says since


def _target_rows(operation: Operation) -> list[TargetRow]:
    found = rereads(operation)
    rows = []
    for key in operation.targets:
        result = operation.results.get(key)
        refused = operation.refused.get(key)
        retry_at = refused.get("retry_at") if refused and not result else None
        rows.append(
            TargetRow(
                key,
                result,
                refused,
                datetime.fromisoformat(retry_at) if retry_at else None,
                found.get(key),
            )
        )
    return rows


@require_GET
@vary_on_headers("HX-Request")
def operation_detail(request: HtmxHttpRequest, operation_id: int) -> HttpResponse:
    operation = _operation_for(request, operation_id)
    context = {
        "op": operation,
        "eta": eta_seconds(operation) if operation.is_open else 0,
        "rows": _target_rows(operation),
        "can_act": can_act(request.user, operation.account),
    }
    return page_or_fragment(
        request, "actions/operation.html", "op-status", context, done=not operation.is_open
    )


@require_POST
def operation_cancel_view(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = _operation_for(request, operation_id)
    try:
        operation_cancel(request.user, operation)
    except NotPermitted as err:
        raise PermissionDenied(str(err)) from None
    return redirect("actions:operation-detail", operation.pk)


@require_GET
def operation_list(request: HttpRequest) -> HttpResponse:
    operations = Operation.objects.filter(
        account__in=visible_accounts(request.user)
    ).select_related("account", "user")[:100]
    return render(request, "actions/operation_list.html", {"operations": operations})
