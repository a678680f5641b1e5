"""Idempotent bulk writes keyed by cloud ids, recording every observed change of state.

Run twice with the same records, the second run changes nothing and records no transition.
A record dataclass (`apps.<product>.api`) is the one list of a model's cached fields: its
field names are the model's column names, so `row_of` and `fields_of` derive the row and the
update list from it, and a new field is added in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from django.db import models, transaction

from apps.cloud.scope import Scope
from apps.sync.models import StateTransition

Change = tuple[str, str, str]  # (cloud id, from state, to state)


def fields_of(record_type: type, *more: str, without: Iterable[str] = ()) -> list[str]:
    """The columns a record type fills, plus `more` (bookkeeping such as `synced_at`), less
    `without` (the cloud id a row is found by)."""
    skip = set(without)
    return [f.name for f in fields(record_type) if f.name not in skip] + list(more)


def row_of(record: Any, without: Iterable[str] = (), /, **more: Any) -> dict[str, Any]:
    """A record as a row: one column per record field (less `without`: fields the row holds
    as a foreign key instead), plus `more` (scope, synced_at, ...), which wins."""
    skip = set(without)
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in skip} | more


def upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique: Sequence[str],
    update: Iterable[str],
) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE SET update (SQLite and PostgreSQL)."""
    if not rows:
        return
    model._default_manager.bulk_create(
        [model(**row) for row in rows],
        update_conflicts=True,
        unique_fields=list(unique),
        update_fields=list(update),
        batch_size=500,
    )


def upsert_with_history(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    key: str,
    update: Iterable[str],
    kind: str,
    scope: Scope,
    now: datetime,
    within: dict[str, Any] | None = None,
    history_id: Callable[[dict[str, Any]], str] | None = None,
    state_field: str = "state",
) -> list[Change]:
    """Upsert `rows`, each found by `key` within `within` (default: the scope's account and
    region; a task's instances: `{"task": task}`); return and record the (cloud id, from, to)
    state changes. `state_changed_at` moves only when the state does."""
    if not rows:
        return []
    within = scope.lookup if within is None else within
    keys = [row[key] for row in rows]
    before = {
        k: (state, changed_at)
        for k, state, changed_at in model._default_manager.filter(
            **within, **{f"{key}__in": keys}
        ).values_list(key, state_field, "state_changed_at")
    }
    changes = []
    for row in rows:
        old, changed_at = before.get(row[key], (None, None))
        if old != row[state_field]:
            cloud_id = history_id(row) if history_id else str(row[key])
            changes.append((cloud_id, old or "", row[state_field]))
            row["state_changed_at"] = now
        else:
            row["state_changed_at"] = changed_at
    transitions = [
        StateTransition(
            account=scope.account,
            region=scope.region,
            kind=kind,
            cloud_id=cloud_id,
            from_state=old,
            to_state=new,
            observed_at=now,
        )
        for cloud_id, old, new in changes
    ]
    with transaction.atomic():
        upsert(model, rows, unique=[*within, key], update=[*update, "state_changed_at"])
        StateTransition.objects.bulk_create(transitions)
    return changes
