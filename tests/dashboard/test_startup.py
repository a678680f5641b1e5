"""Production is the default: no debug page, and no process that serves anything on a published
or missing key. Runs the real entry points (gunicorn, the Celery worker and beat) as deployed."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from apps.cloud.models import CloudAccount
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow

GOOD = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}
PUBLISHED_KEY = "jobdeck-insecure-demo-key-change-me-in-production"


def production_env(tmp_path: Path, redis_url: str, **keys: str) -> dict[str, str]:
    """The environment of a deployment that set only its database and Redis (plus `keys`):
    nothing of the tests' or the demo's settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "FIELD_ENCRYPTION", "TENCENTCLOUD_", "CLOUD_"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        **keys,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


COMMANDS = {
    "web": [str(BIN / "gunicorn"), "dashboard.wsgi", "-b", "127.0.0.1:0", "--workers", "1"],
    "worker": [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--pool", "solo"],
    "beat": [sys.executable, "-m", "celery", "-A", "dashboard", "beat"],
}


def refusal(command: list[str], env: dict[str, str], tmp_path: Path) -> str:
    """The one line a process printed when it refused to start (it must exit by itself)."""
    if command[-1] == "beat":
        command = [*command, "--schedule", str(tmp_path / "beat-schedule")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "will not start" in line]
    assert len(lines) == 1, done.stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize("process", ["web", "worker", "beat"])
def test_every_process_refuses_to_start_without_keys(process, tmp_path, redis_url):
    line = refusal(COMMANDS[process], production_env(tmp_path, redis_url), tmp_path)
    assert f"Jobdeck {process} will not start" in line
    assert "DJANGO_SECRET_KEY is not set" in line and "FIELD_ENCRYPTION_KEY is not set" in line


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ({**GOOD, "DJANGO_SECRET_KEY": PUBLISHED_KEY}, "DJANGO_SECRET_KEY is the published"),
        ({**GOOD, "DJANGO_SECRET_KEY": "tiny-0123"}, "DJANGO_SECRET_KEY is shorter"),
        ({**GOOD, "FIELD_ENCRYPTION_KEY": ""}, "FIELD_ENCRYPTION_KEY is not set"),
        ({**GOOD, "FIELD_ENCRYPTION_KEY": "not-a-key"}, "FIELD_ENCRYPTION_KEY is not a Fernet"),
    ],
)
def test_a_published_or_broken_key_is_refused_by_name(keys, named, tmp_path, redis_url):
    line = refusal(COMMANDS["worker"], production_env(tmp_path, redis_url, **keys), tmp_path)
    assert named in line
    assert keys["DJANGO_SECRET_KEY"] not in line  # named, never printed


def test_production_defaults_show_no_debug_page(tmp_path, redis_url):
    """A bad Host header once gave Django's debug page (settings and environment) to anyone."""
    port = free_port()
    command = [*COMMANDS["web"][:2], "-b", f"127.0.0.1:{port}", "--workers", "1"]
    env = production_env(tmp_path, redis_url, **GOOD)
    web = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.ConnectionError:
                return web.poll() is not None  # stop waiting: it died

        wait_for(healthy, 60, "gunicorn answers /healthz")
        assert web.poll() is None
        reply = requests.get(f"{base}/", headers={"Host": "evil.example"}, timeout=5)
        assert reply.status_code == 400
        for leak in ("Traceback", "DisallowedHost", "SECRET_KEY", "settings", "REDIS_URL"):
            assert leak not in reply.text
    finally:
        web.terminate()
        web.wait(timeout=30)


def test_check_deploy_passes_with_the_documented_production_settings(tmp_path, redis_url):
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            example[name] = value
    assert example["DJANGO_DEBUG"] == "false"
    # the two keys the file marks "Required" are left for the operator to fill in
    assert example["DJANGO_SECRET_KEY"] == "" and example["FIELD_ENCRYPTION_KEY"] == ""
    env = production_env(tmp_path, redis_url) | example | GOOD
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_names_a_missing_key(tmp_path, redis_url):
    env = production_env(tmp_path, redis_url)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "jobdeck.E001" in done.stderr and "FIELD_ENCRYPTION_KEY is not set" in done.stderr


@pytest.mark.django_db
def test_without_debug_secrets_are_never_encrypted_with_a_derived_key(settings):
    """The key once came from SECRET_KEY, so a database dump and the published default key
    opened every stored SecretKey."""
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEY = ""
    account = CloudAccount(name="x", secret_id="AKIDx", regions=["ap-guangzhou"])
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"):
        account.secret_key = "the secret"
