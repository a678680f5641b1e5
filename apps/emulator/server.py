"""The emulator: one HTTP port speaking the Batch (2017-03-12) and Omics (2022-11-28) APIs.

`Emulator.handle` turns one raw request into one raw reply (testable without sockets);
`Emulator.serve` puts it behind a threaded HTTP server on 127.0.0.1. The order of checks:
protocol (method, size, Content-Type, language: `protocol.py`), routing (Action/Version), signature, frequency limit, injected faults, parameters,
then the action itself.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import uuid
from collections import ChainMap
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from apps.cloud.signing import parse_authorization
from apps.emulator import auth
from apps.emulator.clock import Clock, ScaledClock
from apps.emulator.errors import ApiError, common_error
from apps.emulator.faults import Fault, Faults
from apps.emulator.protocol import (
    JSON_CONTENT_TYPE,
    TC3,
    V1,
    check_content_type,
    check_language,
    reply_language,
    requested_language,
    signed_with_tc3,
)
from apps.emulator.ratelimit import RateLimits
from apps.emulator.registry import Action, Context, Product
from apps.emulator.schema import unflatten, validate
from apps.emulator.stats import Stats

log = logging.getLogger(__name__)

# The demo key pair: it opens nothing but this emulator. Printed at start, and the default
# of TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY in settings and .env.example.
DEMO_SECRET_ID = "AKIDjobdeckDEMOkey0000000000000000000"  # noqa: S105 (opens only the emulator)
DEMO_SECRET_KEY = "jobdeckDEMOsecret000000000000000"  # noqa: S105

MAX_BODY_BYTES = 10 * 1024 * 1024  # "POST ≤ 10 MB with TC3-HMAC-SHA256"
# Parameters of the v1 wire format that are common, not the action's own.
V1_COMMON = {
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "RequestClient",
    "Language",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = JSON_CONTENT_TYPE
    drop: bool = False  # close the connection without answering


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    params: dict[str, Any] = field(default_factory=dict)
    # When it arrived (time.monotonic()): the frequency limit counts it then, as the cloud's
    # front door would, not after the emulator has read and verified it.
    received: float = field(default_factory=time.monotonic)


def envelope(fields: dict[str, Any]) -> bytes:
    return json.dumps({"Response": {**fields, "RequestId": str(uuid.uuid4())}}).encode()


def error_body(code: str, message: str) -> bytes:
    return envelope({"Error": {"Code": code, "Message": message}})


class Emulator:
    def __init__(
        self,
        *,
        worlds: dict[tuple[str, str], Any],
        products: list[Product],
        clock: Clock | None = None,
        keys: dict[str, str] | None = None,
        limits_enabled: bool = True,
        seed: int = 0,
    ) -> None:
        self.clock = clock or ScaledClock()
        self.keys = dict(keys or {DEMO_SECRET_ID: DEMO_SECRET_KEY})  # long-term key pairs
        self.temporary = auth.TemporaryKeys()  # issued by POST /_emulator/sts
        self.worlds = worlds
        self.products = {product.version: product for product in products}
        self.limits = RateLimits(
            {a.name: a.limit for p in products for a in p.actions.values()},
            enabled=limits_enabled,
        )
        self.faults = Faults(seed)
        # Actions the key pairs may not call, as a CAM policy without them would answer.
        self.denied: set[str] = set()
        self.stats = Stats()
        self._httpd: ThreadingHTTPServer | None = None

    # --- the API -------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        if request.path.startswith("/_emulator/"):
            return self._admin(request)
        action_name, secret_id, region = "?", "-", "-"
        try:
            if request.method not in {"GET", "POST"}:
                raise common_error("method")
            if len(request.body) > MAX_BODY_BYTES:
                raise common_error("request_size")
            common, params, from_strings = self._split(request)
            action_name = common.get("Action") or "?"
            self.stats.heard(action_name, requested_language(request.headers, request.params))
            check_language(requested_language(request.headers, request.params))
            region = common.get("Region", "")[:40] or "-"  # as asked, counted even if refused
            product, action = self._route(common)
            secret_id = self._claimed_secret_id(request)  # counted even when the signature fails
            secret_id = self._authenticate(request, common, product.service)
            region = self._region(product, action, common.get("Region", ""))
            if action.name in self.denied:
                raise common_error("unauthorized", action=action.name)
            if not self.limits.allow(secret_id, region, action.name, at=request.received):
                self.stats.count(action.name, secret_id, "rate_limited", region)
                raise common_error("request_limit", limit=int(self.limits.limit_of(action.name)))
            fault_reply = self._fault(
                action.name, secret_id, region, reply_language(request.headers, request.params)
            )
            if fault_reply is not None:
                return fault_reply
            clean = validate(params, action.params, action.required, from_strings=from_strings)
            world = self.worlds[(product.service, region)]
            now = self.clock.now()
            with world.lock:
                world.advance(now)
                fields = action.handler(world, clean, Context(region, secret_id, now))
        except ApiError as err:
            if err.code.startswith("AuthFailure"):
                self.stats.count(action_name, secret_id, "auth_failures", region)
            self.stats.count(action_name, secret_id, "answered", region)
            self.stats.count(action_name, secret_id, "errors", region)
            if err.code == "UnsupportedRegion":
                self.stats.count(action_name, secret_id, "unsupported_region", region)
            return Reply(
                body=error_body(
                    err.code, err.message_in(reply_language(request.headers, request.params))
                )
            )
        except Exception:  # an emulator bug must still answer as the cloud would
            log.exception("emulator failure in %s", action_name)
            self.stats.count(action_name, secret_id, "answered", region)
            self.stats.count(action_name, secret_id, "errors", region)
            failure = common_error("internal_error")
            return Reply(
                body=error_body(
                    failure.code,
                    failure.message_in(reply_language(request.headers, request.params)),
                )
            )
        self.stats.count(action.name, secret_id, "answered", region)
        self.stats.count(action.name, secret_id, "ok", region)
        return Reply(body=envelope(fields))

    def _split(self, request: Request) -> tuple[dict[str, str], dict[str, Any], bool]:
        """Common parameters, the action's parameters, and whether they came as strings."""
        headers = request.headers
        if signed_with_tc3(headers):  # v3: common parameters in headers
            check_content_type(request.method, headers, TC3)
            common = {
                "Action": headers.get("x-tc-action", ""),
                "Version": headers.get("x-tc-version", ""),
                "Region": headers.get("x-tc-region", ""),
                "Timestamp": headers.get("x-tc-timestamp", ""),
            }
            if request.method == "GET":
                return (
                    common,
                    unflatten(dict(parse_qsl(request.query, keep_blank_values=True))),
                    True,
                )
            return common, self._json_body(request.body), False
        # signature v1: everything in the query string or the form body
        check_content_type(request.method, headers, V1)
        raw = request.query if request.method == "GET" else request.body.decode("utf-8", "replace")
        flat = dict(parse_qsl(raw, keep_blank_values=True))
        request.params = flat
        common = {name: flat[name] for name in V1_COMMON if name in flat}
        params = {name: value for name, value in flat.items() if name not in V1_COMMON}
        return common, unflatten(params), True

    @staticmethod
    def _json_body(body: bytes) -> dict[str, Any]:
        if not body.strip():
            return {}
        try:
            params = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise common_error("body_not_json") from None
        if not isinstance(params, dict):
            raise common_error("body_not_object")
        return params

    def _route(self, common: dict[str, str]) -> tuple[Product, Any]:
        if not common.get("Action"):
            raise common_error("missing_parameter", name="Action")
        if not common.get("Version"):
            raise common_error("missing_parameter", name="Version")
        product = self.products.get(common["Version"])
        if product is None:
            raise common_error("no_such_version", version=common["Version"])
        action = product.actions.get(common["Action"])
        if action is None:
            raise common_error("invalid_action", action=common["Action"])
        return product, action

    @staticmethod
    def _claimed_secret_id(request: Request) -> str:
        parsed = parse_authorization(request.headers.get("authorization", ""))
        return parsed.secret_id if parsed else request.params.get("SecretId", "-")

    def _authenticate(self, request: Request, common: dict[str, str], service: str) -> str:
        authorization = request.headers.get("authorization")
        if authorization is None and "Signature" not in request.params:
            raise common_error("missing_authorization")
        timestamp = auth.check_timestamp(common.get("Timestamp"))
        keys = ChainMap(self.keys, self.temporary.secret_keys())
        if authorization is not None:
            secret_id = auth.verify_tc3(
                keys=keys,
                authorization=authorization,
                headers=request.headers,
                method=request.method,
                query=request.query,
                body=request.body,
                timestamp=timestamp,
                service=service,
            )
            token = request.headers.get("x-tc-token", "")
        else:
            secret_id = auth.verify_v1(
                keys=keys,
                params=request.params,
                method=request.method,
                host=request.headers.get("host", ""),
            )
            token = request.params.get("Token", "")
        self.temporary.check_token(secret_id, token)
        return secret_id

    def _region(self, product: Product, action: Action, region: str) -> str:
        if not region:
            if product.region_required or action.region_required:
                raise common_error("missing_parameter", name="Region")
            return product.regions[0]
        allowed = product.action_regions.get(action.name, product.regions)
        if region not in allowed:
            raise common_error("unsupported_region", region=region)
        return region

    def _fault(self, action: str, secret_id: str, region: str, language: str) -> Reply | None:
        latency, kind = self.faults.pick(action)
        if latency:
            time.sleep(latency)
        if kind is None:
            return None
        self.stats.count(action, secret_id, "faults", region)
        self.stats.count(action, secret_id, "answered", region)
        if kind == "internal_error":
            self.stats.count(action, secret_id, "errors", region)
            injected = common_error("injected_internal_error")
            return Reply(body=error_body(injected.code, injected.message_in(language)))
        if kind == "rate_limited":  # counted as the emulator's own limiter counts a refusal
            self.stats.count(action, secret_id, "errors", region)
            self.stats.count(action, secret_id, "rate_limited", region)
            refused = common_error("injected_rate_limited")
            return Reply(body=error_body(refused.code, refused.message_in(language)))
        if kind == "http_502":
            return Reply(
                status=502,
                body=b"<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        if kind == "malformed":
            return Reply(body=envelope({"JobSet": []})[:-7])
        return Reply(drop=True)

    # --- the emulator's own endpoints ----------------------------------------------------
    def _admin(self, request: Request) -> Reply:
        """GET /_emulator/stats; POST /_emulator/faults {"Action": {...}}, /_emulator/config and
        /_emulator/sts {"duration": seconds} (a temporary key pair; 0 or less: already expired)."""
        path = request.path
        if path == "/_emulator/stats" and request.method == "GET":
            return self._json(self.stats.snapshot())
        if path == "/_emulator/healthz":
            return self._json({"ok": True})
        if request.method != "POST":
            return Reply(status=404, body=b'{"error": "not found"}')
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return Reply(status=400, body=b'{"error": "body must be JSON"}')
        if path == "/_emulator/faults":
            self.faults.clear()
            for action, settings in payload.items():
                self.faults.set(action, Fault(**settings))
            return self._json({"faults": self.faults.as_dict()})
        if path == "/_emulator/sts":
            duration = payload.get("duration", 1800)
            if not isinstance(duration, int):
                return Reply(status=400, body=b'{"error": "duration must be an integer"}')
            return self._json(self.temporary.issue(duration))
        if path == "/_emulator/config":
            if "other_client_share" in payload:
                self.limits.other_client_share = float(payload["other_client_share"])
            if "limits_enabled" in payload:
                self.limits.enabled = bool(payload["limits_enabled"])
            if "denied_actions" in payload:
                self.denied = {str(name) for name in payload["denied_actions"]}
            if payload.get("reset_stats"):
                self.stats.reset()
            return self._json(
                {
                    "other_client_share": self.limits.other_client_share,
                    "limits_enabled": self.limits.enabled,
                    "denied_actions": sorted(self.denied),
                }
            )
        return Reply(status=404, body=b'{"error": "not found"}')

    @staticmethod
    def _json(data: Any) -> Reply:
        return Reply(body=json.dumps(data).encode())

    # --- serving -------------------------------------------------------------------------
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        """Bind (port 0 picks a free one) and serve in a background thread."""
        httpd = _Server((host, port), _handler_for(self))
        self._httpd = httpd
        # A short poll interval makes stop() quick (tests start and stop one per test).
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="emulator", daemon=True
        ).start()
        return httpd

    @property
    def port(self) -> int:
        assert self._httpd is not None, "serve() first"
        return self._httpd.server_address[1]

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test, a dropped keep-alive) is not an emulator error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away", client_address)
            return
        super().handle_error(request, client_address)


def _handler_for(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as clients reuse connections
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

        def _serve(self) -> None:
            received = time.monotonic()
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path or "/",
                query=parts.query,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
                received=received,
            )
            reply = emulator.handle(request)
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(2)  # socket.SHUT_RDWR: the client sees a reset
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

    return Handler
