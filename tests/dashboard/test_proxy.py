"""The client's address: REMOTE_ADDR, or behind the trusted proxy the entry it appended."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from dashboard.proxy import client_address


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.7", "10.0.0.1"),
        (True, "203.0.113.7", "203.0.113.7"),
        (True, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (True, "198.51.100.1,2001:db8::7", "2001:db8::7"),
        (True, "", "10.0.0.1"),
        (True, "203.0.113.7, not-an-address", "10.0.0.1"),
    ],
)
def test_client_address(settings, behind_proxy, forwarded, expected):
    settings.BEHIND_TLS_PROXY = behind_proxy
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_no_request_no_address():
    assert client_address(None) == ""
