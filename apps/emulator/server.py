"""The emulator: one HTTP port speaking the Batch (2017-03-12) and Omics (2022-11-28) APIs.

`Emulator.handle` turns one raw request into one raw reply (testable without sockets);
`Emulator.serve` puts it behind a threaded HTTP server on 127.0.0.1. The order of checks:
protocol, routing (Action/Version), signature, frequency limit, injected faults, parameters,
then the action itself.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from apps.cloud.signing import parse_authorization
from apps.emulator import auth
from apps.emulator.clock import Clock, ScaledClock
from apps.emulator.errors import ApiError
from apps.emulator.faults import Fault, Faults
from apps.emulator.ratelimit import RateLimits
from apps.emulator.registry import Context, Product
from apps.emulator.schema import unflatten, validate
from apps.emulator.stats import Stats

log = logging.getLogger(__name__)

# The demo key pair: it opens nothing but this emulator. Printed at start, and the default
# of TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY in settings and .env.example.
DEMO_SECRET_ID = "AKIDjobdeckDEMOkey0000000000000000000"  # noqa: S105 (opens only the emulator)
DEMO_SECRET_KEY = "jobdeckDEMOsecret000000000000000"  # noqa: S105

MAX_BODY_BYTES = 10 * 1024 * 1024  # "POST ≤ 10 MB with TC3-HMAC-SHA256"
JSON_CONTENT_TYPE = "application/json"
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
        self.keys = dict(keys or {DEMO_SECRET_ID: DEMO_SECRET_KEY})
        self.worlds = worlds
        self.products = {product.version: product for product in products}
        self.limits = RateLimits(
            {a.name: a.limit for p in products for a in p.actions.values()},
            enabled=limits_enabled,
        )
        self.faults = Faults(seed)
        self.stats = Stats()
        self._httpd: ThreadingHTTPServer | None = None

    # --- the API -------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        if request.path.startswith("/_emulator/"):
            return self._admin(request)
        action_name, secret_id, region = "?", "-", "-"
        try:
            if request.method not in {"GET", "POST"}:
                raise ApiError("UnsupportedProtocol", "Only GET and POST requests are supported.")
            if len(request.body) > MAX_BODY_BYTES:
                raise ApiError("RequestSizeLimitExceeded", "The request size exceeds the limit.")
            common, params, from_strings = self._split(request)
            action_name = common.get("Action") or "?"
            region = common.get("Region", "")[:40] or "-"  # as asked, counted even if refused
            product, action = self._route(common)
            secret_id = self._claimed_secret_id(request)  # counted even when the signature fails
            secret_id = self._authenticate(request, common, product.service)
            region = self._region(product, action.name, common.get("Region", ""))
            if not self.limits.allow(secret_id, region, action.name):
                self.stats.count(action.name, secret_id, "rate_limited", region)
                raise ApiError(
                    "RequestLimitExceeded",
                    f"Your current request times equals to `{int(self.limits.limit_of(action.name))}`"
                    " in a second, which exceeds the frequency limit.",
                )
            fault_reply = self._fault(action.name, secret_id, region)
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
            return Reply(body=error_body(err.code, err.message))
        except Exception:  # an emulator bug must still answer as the cloud would
            log.exception("emulator failure in %s", action_name)
            self.stats.count(action_name, secret_id, "answered", region)
            self.stats.count(action_name, secret_id, "errors", region)
            return Reply(body=error_body("InternalError", "Internal error."))
        self.stats.count(action.name, secret_id, "answered", region)
        self.stats.count(action.name, secret_id, "ok", region)
        return Reply(body=envelope(fields))

    def _split(self, request: Request) -> tuple[dict[str, str], dict[str, Any], bool]:
        """Common parameters, the action's parameters, and whether they came as strings."""
        headers = request.headers
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if (
            "authorization" in headers or "x-tc-action" in headers
        ):  # v3: common parameters in headers
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
            if content_type == "application/x-www-form-urlencoded":
                flat = dict(
                    parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
                )
                return common, unflatten(flat), True
            return common, self._json_body(request.body), False
        # signature v1: everything in the query string or the form body
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
            raise ApiError("InvalidParameter", "The request body is not valid JSON.") from None
        if not isinstance(params, dict):
            raise ApiError("InvalidParameter", "The request body must be a JSON object.")
        return params

    def _route(self, common: dict[str, str]) -> tuple[Product, Any]:
        if not common.get("Action"):
            raise ApiError(
                "MissingParameter", "The request is missing a required parameter `Action`."
            )
        if not common.get("Version"):
            raise ApiError(
                "MissingParameter", "The request is missing a required parameter `Version`."
            )
        product = self.products.get(common["Version"])
        if product is None:
            raise ApiError(
                "NoSuchVersion", f"The API version `{common['Version']}` does not exist."
            )
        action = product.actions.get(common["Action"])
        if action is None:
            raise ApiError("InvalidAction", f"The API `{common['Action']}` does not exist.")
        return product, action

    @staticmethod
    def _claimed_secret_id(request: Request) -> str:
        parsed = parse_authorization(request.headers.get("authorization", ""))
        return parsed.secret_id if parsed else request.params.get("SecretId", "-")

    def _authenticate(self, request: Request, common: dict[str, str], service: str) -> str:
        authorization = request.headers.get("authorization")
        if authorization is None and "Signature" not in request.params:
            raise ApiError("AuthFailure.MissingAuthorization", "The request carries no signature.")
        timestamp = auth.check_timestamp(common.get("Timestamp"))
        if authorization is not None:
            return auth.verify_tc3(
                keys=self.keys,
                authorization=authorization,
                headers=request.headers,
                method=request.method,
                query=request.query,
                body=request.body,
                timestamp=timestamp,
                service=service,
            )
        return auth.verify_v1(
            keys=self.keys,
            params=request.params,
            method=request.method,
            host=request.headers.get("host", ""),
        )

    def _region(self, product: Product, action: str, region: str) -> str:
        if not region:
            if product.region_required:
                raise ApiError(
                    "MissingParameter", "The request is missing a required parameter `Region`."
                )
            return product.regions[0]
        allowed = product.action_regions.get(action, product.regions)
        if region not in allowed:
            raise ApiError("UnsupportedRegion", f"The API does not support the region `{region}`.")
        return region

    def _fault(self, action: str, secret_id: str, region: str) -> Reply | None:
        latency, kind = self.faults.pick(action)
        if latency:
            time.sleep(latency)
        if kind is None:
            return None
        self.stats.count(action, secret_id, "faults", region)
        self.stats.count(action, secret_id, "answered", region)
        if kind == "internal_error":
            self.stats.count(action, secret_id, "errors", region)
            return Reply(body=error_body("InternalError", "Internal error (injected)."))
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
        """GET /_emulator/stats; POST /_emulator/faults {"Action": {...}} and /_emulator/config."""
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
        if path == "/_emulator/config":
            if "other_client_share" in payload:
                self.limits.other_client_share = float(payload["other_client_share"])
            if "limits_enabled" in payload:
                self.limits.enabled = bool(payload["limits_enabled"])
            if payload.get("reset_stats"):
                self.stats.reset()
            return self._json(
                {
                    "other_client_share": self.limits.other_client_share,
                    "limits_enabled": self.limits.enabled,
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
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path or "/",
                query=parts.query,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
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
