"""What every detail page does with the object it shows."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

from apps.cloud.scope import Scope
from apps.sync.coordination import record_interest
from apps.sync.models import CloudObject

Shown = TypeVar("Shown", bound=CloudObject)


def shown(obj: Shown | None, missing: str) -> Shown:
    """The object of a detail page: 404 (`missing`) when the user may not see it or it is not
    cached yet; else its interest is recorded, so the sync refreshes it first while it is on
    screen."""
    if obj is None:
        raise Http404(missing)
    record_interest(obj.KIND, Scope.of(obj), obj.cloud_id)
    return obj
