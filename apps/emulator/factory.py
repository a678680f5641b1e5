"""One function to make a ready emulator, used by the command, the demo and the test fixture."""

from __future__ import annotations

from typing import Any

from apps.emulator import scenarios
from apps.emulator.clock import Clock, ScaledClock
from apps.emulator.server import Emulator


def make_emulator(
    scenario: str = "demo",
    *,
    seed: int = 1,
    speed: float = 1.0,
    clock: Clock | None = None,
    keys: dict[str, str] | None = None,
    limits_enabled: bool = True,
    **options: Any,
) -> Emulator:
    clock = clock or ScaledClock(speed)
    worlds = scenarios.build(scenario, seed=seed, now=clock.now(), **options)
    return Emulator(
        worlds=worlds,
        products=scenarios.PRODUCTS,
        clock=clock,
        keys=keys,
        limits_enabled=limits_enabled,
        seed=seed,
    )
