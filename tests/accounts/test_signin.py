"""Signing in and out; failed sign-ins lock a username (and, many more, an address) out, on
every way in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from pytest_django import Settings

from apps.accounts.models import User

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Settings) -> None:
    # Every failed sign-in hashes a password; the default hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(fast_hashing: None) -> User:
    return User.objects.create_user("alice", password="correct-horse-9")


@pytest.fixture
def bob(fast_hashing: None) -> User:
    return User.objects.create_user("bob", password="battery-staple-7")


def sign_in(
    client: Client,
    password: str,
    username: str = "alice",
    address: str = "127.0.0.1",
    **headers: str,
) -> str:
    """Posts the sign-in form and returns the page's text ("" for the redirect of a success)."""
    reply = client.post(
        "/account/sign-in/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )
    assert reply.status_code in {200, 302}
    return "" if reply.status_code == 302 else reply.content.decode()


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_sign_in_and_out(alice):
    client = Client()
    assert client.get("/").status_code == 302
    assert sign_in(client, "correct-horse-9") == ""
    assert signed_in(client)
    assert client.post("/account/sign-out/").status_code == 302
    assert not signed_in(client)


def test_five_failures_lock_the_username_out_even_with_the_right_password(alice):
    client = Client()
    for _ in range(5):
        assert LOCKED not in sign_in(client, "wrong")
    assert LOCKED in sign_in(client, "correct-horse-9")
    assert not signed_in(client)


def test_the_username_is_locked_from_every_address(alice):
    for n in range(5):
        sign_in(Client(), "wrong", address=f"192.0.2.{n}")
    client = Client()
    assert LOCKED in sign_in(client, "correct-horse-9", address="198.51.100.9")
    assert not signed_in(client)


def test_a_lockout_does_not_tell_whether_the_name_exists(alice):
    for name in ("alice", "nobody"):
        for _ in range(5):
            sign_in(Client(), "wrong", username=name)
    pages = [sign_in(Client(), "correct-horse-9", username=name) for name in ("alice", "nobody")]
    alerts = [re.findall(r'role="alert">([^<]*)<', page) for page in pages]
    assert alerts[0] == alerts[1] and LOCKED in alerts[0][0]


def test_the_admin_login_is_locked_out_too(fast_hashing):
    User.objects.create_superuser("root", password="root-pass-42")
    for _ in range(5):
        sign_in(Client(), "wrong", username="root")
    client = Client()
    for n in range(20):
        password = "guess" if n % 2 else "root-pass-42"
        reply = client.post("/admin/login/", {"username": "root", "password": password})
        assert reply.status_code == 200
        assert "_auth_user_id" not in client.session
        assert LOCKED in reply.content.decode()
    assert client.get("/admin/").status_code == 302


def test_every_authenticate_call_is_locked_out(alice):
    for _ in range(5):
        sign_in(Client(), "wrong")
    assert authenticate(None, username="alice", password="correct-horse-9") is None


def test_one_users_failures_do_not_lock_another_user_out_behind_the_same_address(alice, bob):
    for _ in range(5):
        sign_in(Client(), "wrong", username="alice", address=PROXY)
    client = Client()
    assert sign_in(client, "battery-staple-7", username="bob", address=PROXY) == ""
    assert signed_in(client)


def test_many_names_from_one_address_lock_that_address_out(bob, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 12
    for n in range(12):
        assert LOCKED not in sign_in(Client(), "wrong", username=f"guess{n}", address=PROXY)
    client = Client()
    assert LOCKED in sign_in(client, "battery-staple-7", username="bob", address=PROXY)
    assert not signed_in(client)
    assert sign_in(Client(), "battery-staple-7", username="bob", address="198.51.100.9") == ""


def test_a_success_clears_the_users_counters(alice):
    for _ in range(2):
        for _ in range(4):
            sign_in(Client(), "wrong")
        client = Client()
        assert sign_in(client, "correct-horse-9") == ""
        assert signed_in(client)


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(bob, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 6
    # The guesser claims a different address each time; the proxy appends the real one.
    for n in range(6):
        forwarded = f"198.51.100.{n}, 203.0.113.7"
        sign_in(Client(), "wrong", username=f"guess{n}", address=PROXY, x_forwarded_for=forwarded)
    guesser, other = Client(), Client()
    page = sign_in(
        guesser, "battery-staple-7", username="bob", address=PROXY, x_forwarded_for="203.0.113.7"
    )
    assert LOCKED in page
    assert (
        sign_in(
            other, "battery-staple-7", username="bob", address=PROXY, x_forwarded_for="203.0.113.8"
        )
        == ""
    )
    assert signed_in(other)


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(bob, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 6
    for n in range(6):
        sign_in(
            Client(),
            "wrong",
            username=f"guess{n}",
            address=PROXY,
            x_forwarded_for=f"198.51.100.{n}",
        )
    client = Client()
    page = sign_in(
        client, "battery-staple-7", username="bob", address=PROXY, x_forwarded_for="203.0.113.8"
    )
    assert LOCKED in page


def test_password_change_needs_the_old_password(alice):
    client = Client()
    client.force_login(alice)
    reply = client.post(
        "/account/password/",
        {
            "old_password": "nope",
            "new_password1": "n3w-Pass-word!",
            "new_password2": "n3w-Pass-word!",
        },
    )
    assert reply.status_code == 200 and "incorrectly" in reply.content.decode()
