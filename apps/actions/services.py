"""Asking for an action, and sending it: permission, the cached state checked first, one
operation per request (double submits collapse), one audited cloud call per chunk."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from apps.accounts.access import AnyUser, acts_anywhere, can_act, visible_accounts
from apps.accounts.models import User
from apps.actions.catalog import ACTIONS, ActionSpec, Target, chunks
from apps.actions.models import OPEN, Operation, OperationStatus
from apps.audit.models import AuditEvent
from apps.audit.services import audit_finish, audit_record
from apps.batch import sync as batch_sync
from apps.cloud.client import Credentials
from apps.cloud.errors import OUTCOME_UNKNOWN, CloudError, RateLimited, UnsupportedRegion
from apps.cloud.gateway import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    CannotSign,
    acquire,
    cloud_call,
    credentials_for,
    rate_for,
    refuse_unserved,
    slot_interval,
)
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope
from apps.omics import sync as omics_sync
from apps.sync.models import Kind


class ActionRefused(Exception):
    """Why an action cannot be asked for; the message is for the person who asked."""


class NoSuchAction(ActionRefused):
    """The URL names no action."""


class NotPermitted(ActionRefused):
    """The user may not act on these targets."""


class MixedScopes(ActionRefused):
    """The targets are in more than one account or region (one operation, one scope)."""


class NothingToDo(ActionRefused):
    """Every target was skipped (the cloud would refuse each, or none was found)."""


NOT_AN_OPERATOR = "Only an operator or an admin of the account's team may do this."


@dataclass(frozen=True)
class Plan:
    spec: ActionSpec
    scope: Scope | None  # None: no target was found
    allowed: list[Target]
    skipped: list[tuple[Target | str, str]]  # (target or unknown key, why)

    @property
    def calls(self) -> int:
        return len(chunks(self.spec, self.allowed))

    @property
    def eta_seconds(self) -> float:
        """How long the calls take at the action's budget (one TerminateJob per second ...)."""
        if self.scope is None or not self.allowed:
            return 0.0
        rate = rate_for(self.scope.account, self.spec.service, self.spec.cloud_action)
        return max(0.0, (self.calls - 1) / rate)


def action_plan(user: AnyUser, key: str, target_keys: list[str]) -> Plan:
    """What would happen: the targets the cloud would accept, and the others with the reason."""
    spec = ACTIONS.get(key)
    if spec is None:
        raise NoSuchAction(f"There is no action {key!r}.")
    if not acts_anywhere(user):
        raise NotPermitted(NOT_AN_OPERATOR)
    wanted = list(dict.fromkeys(k for k in target_keys if k))[:1000]
    found = {t.key: t for t in spec.find(visible_accounts(user), wanted)}
    scopes = {Scope.of(t.owner) for t in found.values()}
    if len(scopes) > 1:
        raise MixedScopes("Choose objects of one account and region at a time.")
    scope = next(iter(scopes), None)
    if scope is not None and not can_act(user, scope.account):
        raise NotPermitted(NOT_AN_OPERATOR)
    allowed: list[Target] = []
    skipped: list[tuple[Target | str, str]] = []
    for k in wanted:
        target = found.get(k)
        if target is None:
            skipped.append((k, "not found (or not yours to see)"))
        elif reason := spec.refusal(target.obj):
            skipped.append((target, reason))
        else:
            allowed.append(target)
    return Plan(spec, scope, allowed, skipped)


def operation_start(user: AnyUser, plan: Plan) -> Operation:
    """Record the operation (or find the same one already open) and queue it after commit."""
    if not isinstance(user, User):  # action_plan already refused anybody signed out
        raise NotPermitted(NOT_AN_OPERATOR)
    if plan.scope is None or not plan.allowed:
        raise NothingToDo("Nothing to do: " + "; ".join(reason for _, reason in plan.skipped[:3]))
    account, region = plan.scope.account, plan.scope.region
    targets = [t.key for t in plan.allowed]
    same = f"{account.pk}|{region}|{plan.spec.key}|{','.join(sorted(targets))}"
    dedupe = hashlib.sha256(same.encode()).hexdigest()
    skipped = [{"target": getattr(t, "key", t), "reason": why} for t, why in plan.skipped]
    try:
        with transaction.atomic():
            operation = Operation.objects.create(
                user=user,
                account=account,
                region=region,
                action=plan.spec.key,
                targets=targets,
                skipped=skipped,
                dedupe_key=dedupe,
                next_step_at=timezone.now(),
            )
    except IntegrityError:  # the same action on the same targets is already under way
        return Operation.objects.get(dedupe_key=dedupe, status__in=OPEN)
    from apps.actions.tasks import run_operation

    transaction.on_commit(lambda: run_operation.delay(operation.pk))
    return operation


def operation_cancel(user: AnyUser, operation: Operation) -> bool:
    """Stop sending what has not been sent yet (calls already sent stand)."""
    if not can_act(user, operation.account):
        raise NotPermitted(NOT_AN_OPERATOR)
    still_open = Operation.objects.filter(pk=operation.pk, status__in=OPEN)
    return bool(still_open.update(cancel_requested=True))


def send_lease_seconds() -> float:
    """How long a chunk may be "sending" before its sender is presumed dead."""
    return float(settings.ACTION_SEND_LEASE_S)


UNKNOWN_LOST = "Its outcome is unknown: it is not sent again, the target is re-read from the cloud"
UNKNOWN_OUTCOME = (
    "the worker stopped after the call may have been sent and before its answer was saved; "
    "it is not sent again: the target is re-read from the cloud, see its current state"
)
# A call refused by the frequency limit is sent again at most this late (the limiter's wait
# plus the backoff).
REQUEUE_CAP_S = 60.0


def operation_step(operation: Operation) -> float | None:
    """Send the next chunk (one cloud call, one audit event). Returns the delay before the
    next step, or None when the operation is over. A busy bucket raises Throttled.

    At most once: the chunk is marked as sending (with its audit event) before the call and
    the mark is cleared with the result. A step that finds the mark of a dead sender records
    the chunk's outcome as unknown and has the targets re-read; it never sends it again. Only
    a RequestLimitExceeded answer (the cloud did nothing) clears the mark without a result:
    the chunk is sent again later (`_refused`)."""
    spec = ACTIONS[operation.action]
    if operation.sending:
        since = operation.sending_since
        sent_for = (timezone.now() - since).total_seconds() if since else math.inf
        if sent_for < send_lease_seconds():
            return send_lease_seconds() - sent_for  # another step may still await the answer
        return _outcome_unknown(operation, spec)
    if operation.cancel_requested:
        _finish(operation, OperationStatus.CANCELLED)
        return None
    pending = [k for k in operation.targets if k not in operation.results]
    if not pending:
        _finish(
            operation,
            OperationStatus.FAILED if operation.failed_count else OperationStatus.SUCCEEDED,
        )
        return None
    if operation.status == OperationStatus.PENDING:
        Operation.objects.filter(pk=operation.pk).update(
            status=OperationStatus.RUNNING, started_at=timezone.now()
        )
        operation.status = OperationStatus.RUNNING
    found = {t.key: t for t in spec.find(_account_of(operation), pending)}
    batch = chunks(spec, [found[k] for k in pending if k in found])
    if not batch:  # the targets left the cache in the meantime
        gone = {"ok": False, "code": "NotFound", "message": "no longer in the cache"}
        operation.results.update(dict.fromkeys(pending, gone))
        Operation.objects.filter(pk=operation.pk).update(results=operation.results)
        return 0.0
    chunk = batch[0]
    try:  # before the mark: a call that cannot be signed or go out is not sent, it fails
        refuse_unserved(operation.scope, spec.service, spec.cloud_action)
        credentials = credentials_for(operation.account)
    except (CannotSign, UnsupportedRegion) as err:
        unsent = {"ok": False, "code": err.code, "message": err.message}
        _settle(operation, pending, unsent)  # every pending call would fail the same way
        return 0.0
    # The budget first (a busy bucket raises Throttled): only a call about to go out is
    # marked and audited.
    slot = acquire(operation.scope, spec.service, spec.cloud_action, block=False)
    event = _claim(operation, spec, chunk)
    if event is None:
        return send_lease_seconds()  # another step claimed the chunk first
    params = spec.params(chunk)
    outcome = _send(operation.scope, spec, params, event, slot, credentials)
    keys = [t.key for t in chunk]
    if outcome.get("refused"):
        return _refused(operation, spec, keys, outcome)
    _settle(operation, keys, outcome)
    _refresh_soon(operation, spec, chunk)
    return 0.0


def _send(
    scope: Scope,
    spec: ActionSpec,
    params: dict[str, Any],
    event: AuditEvent,
    slot: Any,
    credentials: Credentials,
) -> dict[str, Any]:
    """The one call, its audit event finished, and the outcome to save per target."""
    try:
        reply = cloud_call(
            scope,
            spec.service,
            spec.cloud_action,
            params,
            block=False,
            slot=slot,
            credentials=credentials,
        )
    except OUTCOME_UNKNOWN as err:  # it may have been done: never sent again, re-read instead
        message = f"{err.message.rstrip('.')}. {UNKNOWN_LOST}"
        audit_finish(
            event.pk, ok=None, request_id=err.request_id, error_code=err.code, error_message=message
        )
        # The page says "unknown" in the reader's language beside the cloud's own message.
        return {
            "ok": False,
            "unknown": True,
            "request_id": err.request_id,
            "code": err.code,
            "message": err.message,
            "at": event.at.isoformat(),  # a re-read after this can tell whether it was done
        }
    except RateLimited as err:  # the cloud's own answer that it did nothing: safe to send again
        message = gettext(
            "refused by the cloud's frequency limit (another client used the budget); "
            "nothing was done"
        )
        audit_finish(
            event.pk,
            ok=False,
            request_id=err.request_id,
            error_code=err.code,
            error_message=f"{err.message} ({message})",
        )
        return {
            "ok": False,
            "refused": True,
            "request_id": err.request_id,
            "code": err.code,
            "message": err.message,
        }
    except CloudError as err:
        audit_finish(
            event.pk,
            ok=False,
            request_id=err.request_id,
            error_code=err.code,
            error_message=err.message,
        )
        return {"ok": False, "request_id": err.request_id, "code": err.code, "message": err.message}
    request_id = str(reply.get("RequestId", ""))
    audit_finish(event.pk, ok=True, request_id=request_id)
    return {"ok": True, "request_id": request_id}


def _account_of(operation: Operation) -> QuerySet[CloudAccount]:
    """The targets are looked up in the operation's account only."""
    return CloudAccount.objects.filter(pk=operation.account_id)


def _claim(operation: Operation, spec: ActionSpec, chunk: list[Target]) -> AuditEvent | None:
    """Mark the chunk as sending and open its audit event, together or not at all. None when
    another step holds the mark."""
    keys = [t.key for t in chunk]
    with transaction.atomic():
        event = audit_record(
            user=operation.user,
            action=f"{spec.service}.{spec.cloud_action}",
            targets=keys,
            params={"operation": operation.pk},
            team=operation.account.team,
            account=operation.account,
            region=operation.region,
        )
        unclaimed = Operation.objects.filter(pk=operation.pk, sending__isnull=True)
        mark = {"targets": keys, "event": event.pk}
        if not unclaimed.update(sending=mark, sending_since=timezone.now()):
            transaction.set_rollback(True)
            return None
    return event


def _settle(operation: Operation, keys: list[str], outcome: dict[str, Any]) -> None:
    """Save the chunk's outcome and clear the sending mark in one write."""
    operation.results.update(dict.fromkeys(keys, outcome))
    Operation.objects.filter(pk=operation.pk).update(
        results=operation.results, sending=None, sending_since=None
    )


def _refused(
    operation: Operation, spec: ActionSpec, keys: list[str], refusal: dict[str, Any]
) -> float:
    """The cloud refused the chunk with RequestLimitExceeded: the gateway has slowed the bucket
    down, and the targets go back to pending, to be sent again after the limiter's wait and a
    backoff, at most ACTION_RATE_LIMITED_REQUEUES times; then they fail, with nothing done.

    Clearing the sending mark without a result is what lets the chunk be sent again: it is
    safe only here, because this answer is the cloud saying that it did nothing."""
    tries = 1 + max(operation.refused.get(k, {}).get("tries", 0) for k in keys)
    now = timezone.now()
    if tries > settings.ACTION_RATE_LIMITED_REQUEUES:
        retry_at = None
        message = ngettext(
            "the cloud's frequency limit was still exceeded after %(tries)d try; nothing was done",
            "the cloud's frequency limit was still exceeded after %(tries)d tries; nothing was done",
            tries,
        ) % {"tries": tries}
        outcome = {
            "ok": False,
            "request_id": refusal["request_id"],
            "code": refusal["code"],
            "message": message,
            "tries": tries,
        }
        operation.results.update(dict.fromkeys(keys, outcome))
        delay = 0.0
    else:
        delay = _requeue_delay(operation.scope, spec, tries)
        retry_at = now + timedelta(seconds=delay)
    refused = {
        "tries": tries,
        "retry_at": retry_at.isoformat() if retry_at else None,
        "request_id": refusal["request_id"],
        "message": refusal["message"],
    }
    operation.refused.update(dict.fromkeys(keys, refused))
    Operation.objects.filter(pk=operation.pk).update(
        results=operation.results, refused=operation.refused, sending=None, sending_since=None
    )
    return delay


def _requeue_delay(scope: Scope, spec: ActionSpec, tries: int) -> float:
    """The limiter's wait at the bucket's lowered rate, plus an exponential backoff (half of
    it jittered, so operations refused together do not come back together), capped."""
    backoff = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (tries - 1)) * random.uniform(0.5, 1.0)
    return min(REQUEUE_CAP_S, slot_interval(scope, spec.service, spec.cloud_action) + backoff)


def _outcome_unknown(operation: Operation, spec: ActionSpec) -> float:
    """The sender died with the chunk in flight: unknown, audited as such, targets re-read."""
    sending = operation.sending or {}
    keys = [str(k) for k in sending.get("targets", [])]
    if isinstance(sending.get("event"), int):
        audit_finish(
            sending["event"], ok=None, error_code="OutcomeUnknown", error_message=UNKNOWN_OUTCOME
        )
    outcome = {"ok": False, "unknown": True, "code": "OutcomeUnknown", "message": UNKNOWN_OUTCOME}
    if operation.sending_since:
        outcome["at"] = operation.sending_since.isoformat()
    _settle(operation, keys, outcome)
    _refresh_soon(operation, spec, spec.find(_account_of(operation), keys))
    return 0.0


def _finish(operation: Operation, status: OperationStatus) -> None:
    Operation.objects.filter(pk=operation.pk, status__in=OPEN).update(
        status=status, finished_at=timezone.now()
    )
    operation.status = status


def _refresh_soon(operation: Operation, spec: ActionSpec, chunk: list[Target]) -> None:
    """The affected objects are refreshed right after: their details first in the queues."""
    scope = operation.scope
    for target in chunk:
        obj = target.obj
        if spec.kind == Kind.JOB:
            batch_sync.refresh_job(scope, obj.job_id)
        elif spec.kind == Kind.INSTANCE:
            batch_sync.refresh_job(scope, obj.task.job.job_id)
        elif spec.kind == Kind.NODE:
            batch_sync.refresh_env(scope, obj.env.env_id)
        elif spec.kind == Kind.RUN_GROUP:
            omics_sync.refresh_run_group(scope, obj.run_group_id)
        elif spec.kind == Kind.RUN:
            omics_sync.refresh_run_group(scope, obj.group.run_group_id)


@dataclass(frozen=True)
class Reread:
    """What the cache says of a target whose outcome is unknown, since the attempt."""

    page: str  # where its current state is shown
    state: str
    reread_at: datetime | None  # when it was read from the cloud after the attempt, if it was
    done: bool  # that re-read shows the action's effect: done, confirmed by the re-read


def rereads(operation: Operation) -> dict[str, Reread]:
    """For each target with an unknown outcome still in the cache, what its re-read shows."""
    keys = [k for k, r in operation.results.items() if r.get("unknown")]
    if not keys:
        return {}
    spec = ACTIONS[operation.action]
    found = {}
    for target in spec.find(_account_of(operation), keys):
        attempt = operation.results[target.key].get("at")
        synced = target.obj.synced_at
        after = synced if attempt and synced and synced > datetime.fromisoformat(attempt) else None
        done = after is not None and spec.done is not None and spec.done(target.obj)
        found[target.key] = Reread(target.page, target.state, after, done)
    return found


def eta_seconds(operation: Operation) -> float:
    spec = ACTIONS[operation.action]
    left = [k for k in operation.targets if k not in operation.results]
    calls = math.ceil(len(left) / spec.per_call)
    return calls / rate_for(operation.account, spec.service, spec.cloud_action) if calls else 0.0
