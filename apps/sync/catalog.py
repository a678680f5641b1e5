"""Importing this module registers every stream (each product's sync module registers its own)."""

from __future__ import annotations

from apps.batch import sync as batch_sync  # noqa: F401
