"""`make demo` end to end: everything comes up, the overview shows the emulator's jobs synced by
the worker, Ctrl+C stops every process, and a second start works. Runs the real runner on
free ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in(base: str, username: str) -> requests.Session:
    """A browser-like session signed in through the sign-in form (CSRF and all)."""
    session = requests.Session()
    session.get(f"{base}/account/sign-in/", timeout=5)
    reply = session.post(
        f"{base}/account/sign-in/",
        timeout=5,
        data={
            "username": username,
            "password": username,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/account/sign-in/"},
    )
    assert reply.url.rstrip("/") == base, "the demo login did not work"
    return session


def wait_for(session: requests.Session, url: str, text: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            body = session.get(url, timeout=2).text
            if text in body:
                return body
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared at {url}; last body: {body[:300]!r}")


def children_of(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-eo", "pid,ppid"], capture_output=True, text=True, check=True
    ).stdout
    pairs = [tuple(map(int, line.split())) for line in out.splitlines()[1:]]
    return [child for child, parent in pairs if parent == pid]


def read_until(process: subprocess.Popen[bytes], text: str, seconds: float) -> str:
    """The demo's output up to the line containing `text` (it must come within `seconds`)."""
    lines: list[str] = []

    def reader() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append(raw.decode())
            if text in lines[-1]:
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(seconds)
    output = "".join(lines)
    assert text in output, f"{text!r} not printed within {seconds} s:\n{output}"
    return output


def run_demo(tmp_path: Path, web: int, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "dashboard.demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        started = read_until(process, "Press Ctrl+C to stop everything.", 90)
        assert "Jobdeck is up" in started and "demo / demo (operator)" in started
        assert "viewer / viewer (viewer)" in started and "admin / admin (admin)" in started
        base = f"http://127.0.0.1:{web}"
        assert "Sign in" in requests.get(base, timeout=5).text  # nothing without signing in
        # the worker has synced the emulator's jobs: the overview shows them by state, the
        # ended ones too (the inventory pass lists them; the active sweep does not)
        page = wait_for(signed_in(base, "demo"), f"{base}/", "badge state-SUCCEED", 90)
        assert "active jobs" in page
        children = children_of(process.pid)
        assert len(children) == 4  # embedded Valkey, emulator, worker, web
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
        rest = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, rest
    assert "Stopped." in rest
    for child in children:
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)


def test_demo_starts_shows_jobs_stops_cleanly_and_starts_again(tmp_path):
    web = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEMO_WEB_ADDRESS": f"127.0.0.1:{web}",
        "EMULATOR_PORT": str(free_port()),
        "TENCENTCLOUD_ENDPOINT": "",
        "EMBEDDED_REDIS_PORT": str(free_port()),
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # as a user runs it: the demo picks its own
    env["TENCENTCLOUD_ENDPOINT"] = f"http://127.0.0.1:{env['EMULATOR_PORT']}"
    run_demo(tmp_path, web, env)
    run_demo(tmp_path, web, env)  # the second start finds its database and login in place
