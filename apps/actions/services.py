"""Asking for an action, and sending it: permission, the cached state checked first, one
operation per request (double submits collapse), one audited cloud call per chunk."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import ACTING_ROLES, Membership
from apps.actions.catalog import ACTIONS, ActionSpec, Target, chunks
from apps.actions.models import OPEN, Operation, OperationStatus
from apps.audit.services import audit_finish, audit_record
from apps.batch.selectors import visible_accounts
from apps.cloud.errors import AnswerLost, CloudError
from apps.cloud.gateway import acquire, cloud_call, rate_for
from apps.cloud.models import CloudAccount
from apps.sync import coordination


class NotAllowed(Exception):
    """The user may not act on these targets (or they are not in one account and region)."""


@dataclass(frozen=True)
class Plan:
    spec: ActionSpec
    account: CloudAccount | None
    region: str
    allowed: list[Target]
    skipped: list[tuple[Target | str, str]]  # (target or unknown key, why)

    @property
    def calls(self) -> int:
        return len(chunks(self.spec, self.allowed))

    @property
    def eta_seconds(self) -> float:
        """How long the calls take at the action's budget (one TerminateJob per second ...)."""
        if self.account is None or not self.allowed:
            return 0.0
        return max(
            0.0,
            (self.calls - 1) / rate_for(self.account, self.spec.service, self.spec.cloud_action),
        )


def can_act(user: Any, account: CloudAccount) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        user=user, team_id=account.team_id, role__in=ACTING_ROLES
    ).exists()


def acts_anywhere(user: Any) -> bool:
    """Whether the user is an operator or admin of any team (else every action is refused)."""
    return (
        getattr(user, "is_superuser", False)
        or Membership.objects.filter(user=user, role__in=ACTING_ROLES).exists()
    )


def action_plan(user: Any, key: str, target_keys: list[str]) -> Plan:
    """What would happen: the targets the cloud would accept, and the others with the reason."""
    spec = ACTIONS.get(key)
    if spec is None:
        raise NotAllowed(f"There is no action {key!r}.")
    if not acts_anywhere(user):
        raise NotAllowed("Only an operator or an admin of the account's team may do this.")
    wanted = list(dict.fromkeys(k for k in target_keys if k))[:1000]
    found = {t.key: t for t in spec.find(visible_accounts(user), wanted)}
    scopes = {(t.owner.account_id, t.owner.region) for t in found.values()}
    if len(scopes) > 1:
        raise NotAllowed("Choose objects of one account and region at a time.")
    account = next(iter(found.values())).owner.account if found else None
    if account is not None and not can_act(user, account):
        raise NotAllowed("Only an operator or an admin of the account's team may do this.")
    allowed, skipped = [], []
    for k in wanted:
        target = found.get(k)
        if target is None:
            skipped.append((k, "not found (or not yours to see)"))
        elif reason := spec.refusal(target.obj):
            skipped.append((target, reason))
        else:
            allowed.append(target)
    region = next(iter(found.values())).owner.region if found else ""
    return Plan(spec, account, region, allowed, skipped)


def operation_start(user: Any, plan: Plan) -> Operation:
    """Record the operation (or find the same one already open) and queue it after commit."""
    if plan.account is None or not plan.allowed:
        raise NotAllowed("Nothing to do: " + "; ".join(reason for _, reason in plan.skipped[:3]))
    targets = [t.key for t in plan.allowed]
    dedupe = hashlib.sha256(
        f"{plan.account.pk}|{plan.region}|{plan.spec.key}|{','.join(sorted(targets))}".encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            operation = Operation.objects.create(
                user=user,
                account=plan.account,
                region=plan.region,
                action=plan.spec.key,
                targets=targets,
                skipped=[
                    {"target": getattr(t, "key", t), "reason": why} for t, why in plan.skipped
                ],
                dedupe_key=dedupe,
                next_step_at=timezone.now(),
            )
    except IntegrityError:  # the same action on the same targets is already under way
        return Operation.objects.get(dedupe_key=dedupe, status__in=OPEN)
    from apps.actions.tasks import run_operation

    transaction.on_commit(lambda: run_operation.delay(operation.pk))
    return operation


def operation_cancel(user: Any, operation: Operation) -> bool:
    """Stop sending what has not been sent yet (calls already sent stand)."""
    if not can_act(user, operation.account):
        raise NotAllowed("Only an operator or an admin of the account's team may do this.")
    return bool(
        Operation.objects.filter(pk=operation.pk, status__in=OPEN).update(cancel_requested=True)
    )


def send_lease_seconds() -> float:
    """How long a chunk may be "sending" before its sender is presumed dead."""
    return float(settings.ACTION_SEND_LEASE_S)


UNKNOWN_LOST = "Its outcome is unknown: it is not sent again, the target is re-read from the cloud"
UNKNOWN_OUTCOME = (
    "the worker stopped after the call may have been sent and before its answer was saved; "
    "it is not sent again: the target is re-read from the cloud, see its current state"
)


def operation_step(operation: Operation) -> float | None:
    """Send the next chunk (one cloud call, one audit event). Returns the delay before the
    next step, or None when the operation is over. A busy bucket raises Throttled.

    At most once: the chunk is marked as sending (with its audit event) before the call and
    the mark is cleared with the result. A step that finds the mark of a dead sender records
    the chunk's outcome as unknown and has the targets re-read; it never sends it again."""
    spec = ACTIONS[operation.action]
    if operation.sending:
        lease_left = (
            send_lease_seconds() - (timezone.now() - operation.sending_since).total_seconds()
        )
        if lease_left > 0:
            return lease_left  # another step may still be waiting for the answer
        return _outcome_unknown(operation, spec)
    if operation.cancel_requested:
        return _finish(operation, OperationStatus.CANCELLED)
    pending = [k for k in operation.targets if k not in operation.results]
    if not pending:
        status = OperationStatus.FAILED if operation.failed_count else OperationStatus.SUCCEEDED
        return _finish(operation, status)
    if operation.status == OperationStatus.PENDING:
        Operation.objects.filter(pk=operation.pk).update(
            status=OperationStatus.RUNNING, started_at=timezone.now()
        )
        operation.status = OperationStatus.RUNNING
    accounts = CloudAccount.objects.filter(pk=operation.account_id)
    found = {t.key: t for t in spec.find(accounts, pending)}
    batch = chunks(spec, [found[k] for k in pending if k in found])
    if not batch:  # the targets left the cache in the meantime
        for k in pending:
            operation.results[k] = {
                "ok": False,
                "code": "NotFound",
                "message": "no longer in the cache",
            }
        Operation.objects.filter(pk=operation.pk).update(results=operation.results)
        return 0.0
    chunk = batch[0]
    # The budget first (a busy bucket raises Throttled): only a call about to go out is
    # marked and audited.
    slot = acquire(
        operation.account, operation.region, spec.service, spec.cloud_action, block=False
    )
    event = _claim(operation, spec, chunk)
    if event is None:
        return send_lease_seconds()  # another step claimed the chunk first
    try:
        reply = cloud_call(
            operation.account,
            operation.region,
            spec.service,
            spec.cloud_action,
            spec.params(chunk),
            block=False,
            slot=slot,
        )
    except AnswerLost as err:  # it may have gone through: never sent again, re-read instead
        message = f"{err.message}. {UNKNOWN_LOST}"
        audit_finish(event.pk, ok=None, error_code=err.code, error_message=message)
        outcome = {"ok": False, "unknown": True, "code": err.code, "message": message}
    except CloudError as err:
        audit_finish(
            event.pk,
            ok=False,
            request_id=err.request_id,
            error_code=err.code,
            error_message=err.message,
        )
        outcome = {
            "ok": False,
            "request_id": err.request_id,
            "code": err.code,
            "message": err.message,
        }
    else:
        request_id = str(reply.get("RequestId", ""))
        audit_finish(event.pk, ok=True, request_id=request_id)
        outcome = {"ok": True, "request_id": request_id}
    _settle(operation, [t.key for t in chunk], outcome)
    _refresh_soon(operation, spec, chunk)
    return 0.0


def _claim(operation: Operation, spec: ActionSpec, chunk: list[Target]) -> Any:
    """Mark the chunk as sending and open its audit event, together or not at all. None when
    another step holds the mark."""
    with transaction.atomic():
        event = audit_record(
            user=operation.user,
            action=f"{spec.service}.{spec.cloud_action}",
            targets=[t.key for t in chunk],
            params={"operation": operation.pk},
            team=operation.account.team,
            account=operation.account,
            region=operation.region,
        )
        now = timezone.now()
        claimed = Operation.objects.filter(pk=operation.pk, sending__isnull=True).update(
            sending={"targets": [t.key for t in chunk], "event": event.pk}, sending_since=now
        )
        if not claimed:
            transaction.set_rollback(True)
            return None
    return event


def _settle(operation: Operation, keys: list[str], outcome: dict[str, Any]) -> None:
    """Save the chunk's outcome and clear the sending mark in one write."""
    for key in keys:
        operation.results[key] = outcome
    Operation.objects.filter(pk=operation.pk).update(
        results=operation.results, sending=None, sending_since=None
    )


def _outcome_unknown(operation: Operation, spec: ActionSpec) -> float:
    """The sender died with the chunk in flight: unknown, audited as such, targets re-read."""
    sending = operation.sending or {}
    keys = [str(k) for k in sending.get("targets", [])]
    if isinstance(sending.get("event"), int):
        audit_finish(
            sending["event"], ok=None, error_code="OutcomeUnknown", error_message=UNKNOWN_OUTCOME
        )
    outcome = {"ok": False, "unknown": True, "code": "OutcomeUnknown", "message": UNKNOWN_OUTCOME}
    _settle(operation, keys, outcome)
    accounts = CloudAccount.objects.filter(pk=operation.account_id)
    _refresh_soon(operation, spec, spec.find(accounts, keys))
    return 0.0


def _finish(operation: Operation, status: str) -> None:
    Operation.objects.filter(pk=operation.pk, status__in=OPEN).update(
        status=status, finished_at=timezone.now()
    )
    operation.status = status
    return None


def _refresh_soon(operation: Operation, spec: ActionSpec, chunk: list[Target]) -> None:
    """The affected objects are refreshed right after: their details first in the queues."""
    scope = f"{operation.account_id}:{operation.region}"
    for target in chunk:
        obj = target.obj
        if spec.kind in ("job", "instance"):
            job_id = obj.job_id if spec.kind == "job" else obj.task.job.job_id
            coordination.record_interest("job", scope, job_id)
            coordination.enqueue(f"batch.job_details:{scope}", job_id, coordination.WATCHED)
        elif spec.kind == "node":
            coordination.enqueue(f"batch.env_details:{scope}", obj.env.env_id, coordination.WATCHED)
        elif spec.kind in ("run_group", "run"):
            group_id = obj.run_group_id if spec.kind == "run_group" else obj.group.run_group_id
            coordination.record_interest("run_group", scope, group_id)
            coordination.enqueue(f"omics.runs:{scope}", group_id, coordination.WATCHED)


def eta_seconds(operation: Operation) -> float:
    spec = ACTIONS[operation.action]
    left = [k for k in operation.targets if k not in operation.results]
    calls = math.ceil(len(left) / spec.per_call)
    return calls / rate_for(operation.account, spec.service, spec.cloud_action) if calls else 0.0
