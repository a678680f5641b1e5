"""Endpoints that misbehave below HTTP, where the emulator's faults cannot reach: one that
accepts and never answers, one that trickles its answer a byte at a time, and an address
where nothing listens. All on 127.0.0.1, all stopped by the test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    stop.wait()  # the request went out; no answer ever comes


def _trickle(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    )
    while not stop.is_set():  # a byte every 50 ms: never a read timeout, never an end
        conn.sendall(b" ")
        time.sleep(0.05)


BEHAVIOURS = {"silent": _silent, "trickle": _trickle}


@contextmanager
def bad_endpoint(behaviour: str) -> Iterator[str]:
    """`http://127.0.0.1:<port>` behaving as named; "refused" is a port nobody listens on."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    if behaviour == "refused":
        listener.close()
        yield url
        return
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                BEHAVIOURS[behaviour](conn, stop)
            except OSError:
                pass  # the client gave up: that is the point

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
