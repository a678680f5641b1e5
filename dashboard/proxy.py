"""The client's address as the request reached us: REMOTE_ADDR, or behind the trusted TLS proxy
(BEHIND_TLS_PROXY) the address that proxy appended to X-Forwarded-For."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The address to hold a client to ("" without a request, e.g. a shell's authenticate())."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not settings.BEHIND_TLS_PROXY:
        return remote
    # The proxy appends the address it saw to whatever the client sent, so only the last entry
    # is the proxy's word; the ones before it are the client's own claims.
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote
