"""Importing this module registers every stream: each module named in SYNC_STREAM_MODULES
registers its own (the benchmarks swap in a naive planner this way)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

for _module in settings.SYNC_STREAM_MODULES:
    import_module(_module)
