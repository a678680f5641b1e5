"""The test suite's settings: production's (DEBUG off, the deploy checks on), with what the tests
opt into. pytest-django exports DJANGO_SETTINGS_MODULE, so the workers and servers a test starts
read this module too, and decrypt the secrets the test process stored."""

from __future__ import annotations

from dashboard.settings import *  # noqa: F403

# Fixed for the whole run: every process a test starts must read the same stored secrets.
SECRET_KEY = "jobdeck-tests-only-" + "k" * 48
FIELD_ENCRYPTION_KEY = "dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE="
# The emulator listens on a free 127.0.0.1 port of each test.
CLOUD_ALLOW_CUSTOM_ENDPOINTS = ["http://127.0.0.1"]
