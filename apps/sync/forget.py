"""Forgetting what the cache knows of an account (the demo's emulator starts a new world on
every start, so yesterday's cache of it would only mislead)."""

from __future__ import annotations

from django.db import transaction

from apps.cloud.models import CloudAccount
from apps.sync.models import StateTransition, SyncHealth


def forget_account(account: CloudAccount) -> None:
    from apps.batch.models import ComputeEnv, ComputeNode, Job
    from apps.omics.models import OmicsEnvironment, RunGroup, Volume

    with transaction.atomic():
        for model in (
            Job,
            ComputeNode,
            ComputeEnv,
            RunGroup,
            OmicsEnvironment,
            Volume,
            StateTransition,
            SyncHealth,
        ):
            model.objects.filter(account=account).delete()  # tasks, instances, runs, calls cascade
