"""The benchmarks' settings: production's (DEBUG off), with fixed keys every process of a run
shares and the local emulator as an allowed endpoint."""

from __future__ import annotations

from dashboard.settings import *  # noqa: F403

SECRET_KEY = "jobdeck-bench-only-" + "b" * 48
FIELD_ENCRYPTION_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE="
CLOUD_ALLOW_CUSTOM_ENDPOINTS = ["http://127.0.0.1"]
