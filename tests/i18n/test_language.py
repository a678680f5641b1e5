"""Whose language and whose clock a page uses: the person's choice, else the browser's, else
the site's; times in the person's zone, else their team's, else TIME_ZONE; and the date
filters read in the zone the page shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Role, Team, User
from apps.batch.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


def _nav(body: str) -> str:
    return body[body.index("<nav") : body.index("</nav>")]


def test_the_browsers_language_else_the_sites(client, settings):
    zh = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert '<html lang="zh-hans">' in zh.content.decode()
    assert "<h1>登录</h1>" in zh.content.decode()
    en = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "<h1>Sign in</h1>" in en.content.decode()
    settings.LANGUAGE_CODE = "zh-hans"
    neither = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert "<h1>登录</h1>" in neither.content.decode()


def test_the_switcher_before_sign_in_keeps_the_choice_in_a_cookie(client):
    answer = client.post(
        reverse("set-language"), {"language": "zh-hans", "next": "/sign-in/?next=/jobs/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/sign-in/?next=/jobs/"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>登录</h1>" in page.content.decode()


def test_the_switcher_never_sends_a_person_to_another_site(client):
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        answer = client.post(reverse("set-language"), {"language": "en", "next": elsewhere})
        assert answer["Location"] == "/"


def test_a_persons_choice_follows_them_whatever_the_browser_asks(admin_client, admin_user):
    admin_client.post(reverse("set-language"), {"language": "zh-hans", "next": "/"})
    admin_user.refresh_from_db()
    assert admin_user.language == "zh-hans"
    admin_client.cookies.clear()  # another browser: no cookie, and it asks for English
    admin_client.force_login(admin_user)
    page = admin_client.get(reverse("ui:overview"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert ">概览</a>" in _nav(page.content.decode())


def test_an_unknown_language_changes_nothing(admin_client, admin_user):
    admin_client.post(reverse("set-language"), {"language": "xx", "next": "/"})
    admin_user.refresh_from_db()
    assert admin_user.language == ""


def test_preferences_refuse_a_zone_that_does_not_exist_and_keep_the_old(admin_client, admin_user):
    admin_client.post(reverse("preferences"), {"language": "", "time_zone": "Asia/Shanghai"})
    admin_user.refresh_from_db()
    assert admin_user.time_zone == "Asia/Shanghai"
    page = admin_client.post(reverse("preferences"), {"language": "", "time_zone": "Mars/Olympus"})
    assert page.status_code == 200 and "Mars/Olympus" in page.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.time_zone == "Asia/Shanghai"


@pytest.fixture
def job_at_a_known_time():
    account = factories.account()
    factories.jobs(account, 1)
    job = Job.objects.get()
    job.created_at = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    job.save(update_fields=["created_at"])
    return job


def test_times_are_shown_in_the_persons_zone_else_their_teams(
    client, job_at_a_known_time, settings
):
    settings.TIME_ZONE = "UTC"
    person = User.objects.create_superuser("li", "li@example.com", "pw")
    team = Team.objects.create(name="lab", time_zone="Asia/Shanghai")
    Membership.objects.create(team=team, user=person, role=Role.VIEWER)
    client.force_login(person)
    url = reverse("batch:job-detail", args=[job_at_a_known_time.job_id])
    assert "2026-12-02 09:30:00 UTC+8" in client.get(url).content.decode()
    person.time_zone = "Europe/London"
    person.save()
    assert "2026-12-02 01:30:00 UTC</time>" in client.get(url).content.decode()


def test_the_date_filter_is_read_in_the_persons_zone(admin_client, admin_user, job_at_a_known_time):
    admin_user.time_zone = "Asia/Shanghai"
    admin_user.save()
    job_id = job_at_a_known_time.job_id
    # "From 09:00 to 10:00" in Shanghai holds 01:30 UTC; read as UTC it would not.
    found = admin_client.get(
        reverse("batch:job-list"), {"since": "2026-12-02T09:00", "until": "2026-12-02T10:00"}
    )
    assert job_id in found.content.decode()
    body = found.content.decode()
    assert 'value="2026-12-02T09:00"' in body  # the filter shows back what was typed
    missed = admin_client.get(
        reverse("batch:job-list"), {"since": "2026-12-02T01:00", "until": "2026-12-02T02:00"}
    )
    assert job_id not in missed.content.decode()
