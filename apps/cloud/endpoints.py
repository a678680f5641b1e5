"""Where the workers may post signed requests: the real API hosts, and what the deployment lists.

An account's endpoint once was free text, so a team admin could aim the workers at any address
inside the network (and read open from closed ports in the sync errors). Now only the Tencent
Cloud API domain over HTTPS is allowed, plus the `CLOUD_ALLOW_CUSTOM_ENDPOINTS` the deployment
sets (the emulator of the demo and the tests). Checked when an account is saved and again on
every call, so a value stored before this check can aim nowhere either.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

from apps.cloud.errors import InvalidRequest
from apps.cloud.regions import REGION_PATTERN

# <service>.tencentcloudapi.com or <service>.<region>.tencentcloudapi.com: the domains every
# action page names (e.g. https://www.tencentcloud.com/document/api/599/30561).
API_HOST = re.compile(r"[a-z]{2,20}(\.[a-z0-9-]{4,30})?\.tencentcloudapi\.com")


class EndpointRefused(InvalidRequest):
    """The endpoint or region would send the request somewhere other than the cloud's API."""

    def __init__(self, message: str) -> None:
        super().__init__("EndpointNotAllowed", message)


def _parts(url: str) -> SplitResult:
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise EndpointRefused(f"{url[:80]!r} has an invalid port") from None
    if (
        parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or not parts.hostname
    ):
        raise EndpointRefused(f"{url[:80]!r} is not a bare scheme://host[:port]")
    return parts


def _listed(parts: SplitResult) -> bool:
    for allowed in settings.CLOUD_ALLOW_CUSTOM_ENDPOINTS:
        entry = urlsplit(allowed)
        if (
            entry.scheme == parts.scheme
            and entry.hostname == parts.hostname
            and (entry.port is None or entry.port == parts.port)
        ):
            return True
    return False


def checked_endpoint(url: str) -> str:
    """`url` as `scheme://host[:port]` when the workers may post there, else EndpointRefused."""
    parts = _parts(url)
    host = parts.hostname or ""
    real = parts.scheme == "https" and API_HOST.fullmatch(host) and parts.port in (None, 443)
    if not (real or _listed(parts)):
        raise EndpointRefused(
            f"{parts.scheme}://{host}"
            + (f":{parts.port}" if parts.port else "")
            + " is neither https://*.tencentcloudapi.com nor in CLOUD_ALLOW_CUSTOM_ENDPOINTS"
        )
    return f"{parts.scheme}://{parts.netloc}"


def api_host(service: str, region: str) -> str:
    """The regional API host of `service`; the region must look like one (it becomes part of
    the host name)."""
    if not region:
        return f"{service}.tencentcloudapi.com"
    if not REGION_PATTERN.fullmatch(region):
        raise EndpointRefused(f"{region[:40]!r} is not a region name")
    return f"{service}.{region}.tencentcloudapi.com"
