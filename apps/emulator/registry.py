"""What an action is to the emulator: its parameters, its limit and the function that answers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.emulator.schema import Spec

Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Context:
    """What a handler knows of the request besides its parameters."""

    region: str
    secret_id: str
    now: float


@dataclass(frozen=True)
class Action:
    name: str
    handler: Handler
    params: dict[str, Spec]
    required: tuple[str, ...] = ()
    limit: float = 20.0  # requests per second: "A maximum of N requests ..." on the action page
    # The action's page says "Region — Yes" where its product's default is "No".
    region_required: bool = False


@dataclass
class Product:
    """One API: its signing service name, its version and its actions."""

    service: str
    version: str
    regions: tuple[str, ...]
    region_required: bool
    actions: dict[str, Action] = field(default_factory=dict)
    # Actions served in fewer regions than the product (the Omics platform actions:
    # https://cloud.tencent.com/document/api/1643/89099).
    action_regions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def action(
        self,
        name: str,
        *,
        params: dict[str, Spec],
        required: tuple[str, ...] = (),
        limit: float,
        region_required: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator registering a handler `(world, params, ctx) -> response fields`."""

        def register(handler: Handler) -> Handler:
            self.actions[name] = Action(name, handler, params, required, limit, region_required)
            return handler

        return register
