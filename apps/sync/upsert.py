"""Idempotent bulk writes keyed by cloud ids, recording every observed change of state.

Run twice with the same records, the second run changes nothing and records no transition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models, transaction

from apps.cloud.models import CloudAccount
from apps.sync.models import StateTransition


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
    model.objects.bulk_create(
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
    scope: dict[str, Any],
    unique: Sequence[str],
    update: Iterable[str],
    kind: str,
    account: CloudAccount,
    region: str,
    now: datetime,
    history_id: Any = None,
    state_field: str = "state",
) -> list[tuple[str, str, str]]:
    """Upsert `rows` (each holding `key` and the `scope` fields); return and record the
    (cloud id, from, to) state changes. `state_changed_at` moves only when the state does."""
    if not rows:
        return []
    keys = [row[key] for row in rows]
    before = {
        k: (state, changed_at)
        for k, state, changed_at in model.objects.filter(
            **scope, **{f"{key}__in": keys}
        ).values_list(key, state_field, "state_changed_at")
    }
    changes = []
    for row in rows:
        old, changed_at = before.get(row[key], (None, None))
        if old != row[state_field]:
            changes.append(
                (history_id(row) if history_id else str(row[key]), old or "", row[state_field])
            )
            row["state_changed_at"] = now
        else:
            row["state_changed_at"] = changed_at
    with transaction.atomic():
        upsert(model, rows, unique=unique, update=[*update, "state_changed_at"])
        StateTransition.objects.bulk_create(
            StateTransition(
                account=account,
                region=region,
                kind=kind,
                cloud_id=cloud_id,
                from_state=old,
                to_state=new,
                observed_at=now,
            )
            for cloud_id, old, new in changes
        )
    return changes
