"""A sign-in while another process holds SQLite's write lock: its writes (the session, the
user's last_login) wait and are retried, and a lock that outlasts the retries gets a 503 "busy"
page, never a 500. A real lock on the real test database file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.test import Client
from pytest_django import Settings

from apps.accounts.models import User
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sqlite,  # make test runs it on SQLite when the suite runs on PostgreSQL
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


@pytest.fixture
def alice(settings: Settings) -> User:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("alice", password="correct-horse-9")


@pytest.fixture(autouse=True)
def short_busy_timeout() -> Iterator[None]:
    """A one-second busy timeout (the deployment's is 20 s), so a lock longer than it is
    quick to hold; connections opened during the test (the request's thread) use it."""
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    options["timeout"] = 1
    yield
    options["timeout"] = before


@pytest.fixture
def write_lock() -> Iterator[sqlite3.Connection]:
    """Another connection to the test database holding its write lock until it rolls back."""
    holder = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.rollback()
    holder.close()


def post_sign_in(client: Client, replies: list[int]) -> threading.Thread:
    def post() -> None:
        try:
            data = {"username": "alice", "password": "correct-horse-9"}
            replies.append(client.post("/account/sign-in/", data).status_code)
        finally:
            connections.close_all()

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_a_sign_in_waits_out_a_write_lock_longer_than_the_busy_timeout(alice, write_lock, caplog):
    client, replies = Client(), list[int]()
    thread = post_sign_in(client, replies)
    wait_for(
        lambda: "the database is locked, trying again" in caplog.text,
        30,
        "the sign-in met the lock and is retrying",
    )
    write_lock.rollback()
    thread.join(60)
    assert replies == [302]
    assert client.get("/").status_code == 200
    alice.refresh_from_db()
    assert alice.last_login is not None


def test_a_lock_that_outlasts_the_retries_gets_a_busy_page_not_a_500(alice, write_lock):
    client = Client()
    reply = client.post("/account/sign-in/", {"username": "alice", "password": "correct-horse-9"})
    assert reply.status_code == 503
    assert "try again in a few seconds" in reply.content.decode()
    write_lock.rollback()
    assert client.get("/").status_code == 302
    alice.refresh_from_db()
    assert alice.last_login is None
