"""A `Scope`: one cloud account in one region. Every cloud call, cached row, sync queue and
stream lock belongs to one, and its names come from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.cloud.models import CloudAccount


@dataclass(frozen=True)
class Scope:
    account: CloudAccount
    region: str

    @classmethod
    def of(cls, row: Any) -> Scope:
        """The scope of a cached row (anything with `account` and `region`)."""
        return cls(row.account, row.region)

    @property
    def key(self) -> str:
        """`<account id>:<region>`: how Redis keys, queues and locks name the scope."""
        return scope_key(self.account.pk, self.region)

    def queue(self, stream: str) -> str:
        """The detail queue a stream serves in this scope, e.g. `batch.job_details:3:ap-guangzhou`."""
        return f"{stream}:{self.key}"

    def lock(self, stream: str) -> str:
        """The lock one chain of `stream` holds in this scope."""
        return stream_lock(stream, self.account.pk, self.region)

    @property
    def lookup(self) -> dict[str, Any]:
        """Filter arguments for the rows of this scope: `Job.objects.filter(**scope.lookup)`."""
        return {"account": self.account, "region": self.region}

    @property
    def columns(self) -> dict[str, Any]:
        """The scope's columns of a row to insert."""
        return {"account_id": self.account.pk, "region": self.region}

    def __str__(self) -> str:
        return f"{self.account.name}/{self.region}"


def scope_key(account_id: int, region: str) -> str:
    return f"{account_id}:{region}"


def stream_lock(stream: str, account_id: int, region: str) -> str:
    """A stream's lock name, known before its account is loaded (a task may find it gone)."""
    return f"{stream}:{scope_key(account_id, region)}"
