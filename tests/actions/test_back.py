"""After an action the user goes back where they asked from: a path on this site, never
another site, whatever the `back` field of the form says."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
OFF_SITE = [
    "https://evil.example/",
    "//evil.example/jobs/",
    "/\\evil.example/jobs/",
    "\\\\evil.example/jobs/",
    "/\t/evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver/jobs/",  # our own name, but the Host header is the client's to choose
    "jobs/",
]


@pytest.mark.parametrize("back", OFF_SITE)
def test_an_off_site_back_goes_home_instead(admin_client, back):
    refused = admin_client.post(
        reverse("actions:run", args=["retry-jobs"]), {"target": "job-gone", "back": back}
    )
    assert refused.status_code == 302 and refused["Location"] == "/"
    confirm = admin_client.post(
        reverse("actions:confirm", args=["retry-jobs"]), {"target": "job-gone", "back": back}
    )
    assert confirm.status_code == 200
    assert 'href="/"' in confirm.content.decode() and "evil.example" not in confirm.content.decode()


def test_a_same_site_back_is_followed(admin_client):
    back = "/jobs/?state=FAILED&q=align"
    refused = admin_client.post(
        reverse("actions:run", args=["retry-jobs"]), {"target": "job-gone", "back": back}
    )
    assert refused.status_code == 302 and refused["Location"] == back
