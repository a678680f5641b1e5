"""The wire protocol: envelopes, routing, parameter checks and signatures."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest
import requests

from apps.cloud import signing
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY
from tests.emulator.raw import error_code, post


def test_success_envelope_is_http_200_json_with_a_request_id(emulator):
    reply = post(emulator, "DescribeJobs", {"Limit": 1})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"  # exactly; the SDK needs it
    response = reply.json()["Response"]
    assert "Error" not in response
    uuid.UUID(response["RequestId"])
    assert len(response["JobSet"]) == 1


def test_error_envelope_is_also_http_200_with_code_message_and_request_id(emulator):
    reply = post(emulator, "DescribeJob", {"JobId": "job-00000000"})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    response = reply.json()["Response"]
    assert response["Error"]["Code"] == "ResourceNotFound.Job"
    assert response["Error"]["Message"]
    uuid.UUID(response["RequestId"])


@pytest.mark.parametrize(
    ("action", "version", "code"),
    [
        ("DescribeNothing", "2017-03-12", "InvalidAction"),
        ("DescribeJobs", "2099-01-01", "NoSuchVersion"),
        ("DescribeJobs", "2022-11-28", "InvalidAction"),  # an Omics version has no DescribeJobs
        ("DescribeRunGroups", "2017-03-12", "InvalidAction"),
    ],
)
def test_routing_by_action_and_version(emulator, action, version, code):
    service = "omics" if version == "2022-11-28" else "batch"
    assert error_code(post(emulator, action, service=service, version=version)) == code


def test_unknown_parameter_is_refused(emulator):
    assert (
        error_code(post(emulator, "DescribeJobs", {"Limit": 1, "Colour": "red"}))
        == "UnknownParameter"
    )


def test_missing_parameter_is_refused(emulator):
    assert error_code(post(emulator, "DescribeJob", {})) == "MissingParameter"


def test_wrong_type_is_invalid_parameter(emulator):
    assert error_code(post(emulator, "DescribeJobs", {"Limit": "ten"})) == "InvalidParameter"


def test_body_that_is_not_json_is_invalid_parameter(emulator):
    reply = requests.post(
        f"http://127.0.0.1:{emulator.port}/",
        data=b"{not json",
        headers=_signed_headers(emulator, b"{not json", "DescribeJobs"),
        timeout=5,
    )
    assert error_code(reply) == "InvalidParameter"


def test_only_get_and_post_are_supported(emulator):
    reply = requests.put(f"http://127.0.0.1:{emulator.port}/", data=b"{}", timeout=5)
    assert error_code(reply) == "UnsupportedProtocol"


def test_omics_requires_a_region_and_refuses_unsupported_ones(emulator):
    assert (
        error_code(post(emulator, "DescribeRunGroups", service="omics", region=None))
        == "MissingParameter"
    )
    assert error_code(
        post(emulator, "DescribeRunGroups", service="omics", region="ap-nanjing")
    ) == ("UnsupportedRegion")
    # environment actions are served in ap-nanjing too
    # (https://cloud.tencent.com/document/api/1643/89104)
    assert (
        error_code(post(emulator, "DescribeEnvironments", service="omics", region="ap-nanjing"))
        is None
    )


def test_batch_region_is_optional_and_regions_are_separate_worlds(emulator):
    home = post(emulator, "DescribeJobs", region=None).json()["Response"]
    assert home["TotalCount"] > 0  # no region: the home region, where the demo lives
    other = post(emulator, "DescribeJobs", region="ap-shanghai").json()["Response"]
    assert other["TotalCount"] == 0
    assert error_code(post(emulator, "DescribeJobs", region="mars-north-1")) == "UnsupportedRegion"


# --- signatures ---------------------------------------------------------------------------------
def test_wrong_secret_key_is_signature_failure(emulator):
    reply = post(emulator, "DescribeJobs", secret_key="0" * 32)
    assert error_code(reply) == "AuthFailure.SignatureFailure"


def test_unknown_secret_id_is_secret_id_not_found(emulator):
    reply = post(emulator, "DescribeJobs", secret_id="AKIDunknown000000000000000000000000")
    assert error_code(reply) == "AuthFailure.SecretIdNotFound"


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamp_more_than_five_minutes_off_is_signature_expire(emulator, skew):
    reply = post(emulator, "DescribeJobs", timestamp=int(time.time()) + skew)
    assert error_code(reply) == "AuthFailure.SignatureExpire"


def test_timestamp_within_five_minutes_is_accepted(emulator):
    assert error_code(post(emulator, "DescribeJobs", timestamp=int(time.time()) - 240)) is None


def test_missing_authorization(emulator):
    assert (
        error_code(post(emulator, "DescribeJobs", sign=False)) == "AuthFailure.MissingAuthorization"
    )


@pytest.mark.parametrize(
    "header",
    ["Bearer abc", "TC3-HMAC-SHA256 Credential=AKID/2024-01-01/batch", "TC3-HMAC-SHA256 nonsense"],
)
def test_malformed_authorization(emulator, header):
    reply = post(emulator, "DescribeJobs", headers={"Authorization": header})
    assert error_code(reply) == "AuthFailure.InvalidAuthorization"


def test_a_changed_body_breaks_the_signature(emulator):
    body = b'{"Limit": 1}'
    headers = _signed_headers(emulator, body, "DescribeJobs")
    reply = requests.post(
        f"http://127.0.0.1:{emulator.port}/", data=b'{"Limit": 2}', headers=headers, timeout=5
    )
    assert error_code(reply) == "AuthFailure.SignatureFailure"


def test_a_credential_scope_naming_another_service_is_invalid_authorization(emulator):
    # As the cloud answers: the Authorization is not one for this product at all.
    reply = post(
        emulator, "DescribeJobs", headers={"Authorization": _auth_for("omics", emulator, b"{}")}
    )
    assert error_code(reply) == "AuthFailure.InvalidAuthorization"


def test_host_header_is_verified_as_received_even_with_a_scheme(emulator):
    # Some real clients send "Host: http://..." and sign exactly that.
    reply = post(emulator, "DescribeJobs", host=f"http://127.0.0.1:{emulator.port}")
    assert error_code(reply) is None


def test_get_with_query_parameters_and_tc3(emulator):
    query = urlencode(
        {"Limit": "2", "Filters.0.Name": "job-state", "Filters.0.Values.0": "SUCCEED"}
    )
    ts = int(time.time())
    host = f"127.0.0.1:{emulator.port}"
    auth = signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        service="batch",
        host=host,
        content_type="application/x-www-form-urlencoded",
        timestamp=ts,
        method="GET",
        query=query,
    )
    reply = requests.get(
        f"http://{host}/?{query}",
        headers={
            "Authorization": auth,
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": host,
            "X-TC-Action": "DescribeJobs",
            "X-TC-Version": "2017-03-12",
            "X-TC-Timestamp": str(ts),
        },
        timeout=5,
    )
    response = reply.json()["Response"]
    assert "Error" not in response
    assert len(response["JobSet"]) == 2
    assert {job["JobState"] for job in response["JobSet"]} == {"SUCCEED"}


def _auth_for(service: str, emulator, body: bytes, ts: int | None = None) -> str:
    return signing.sign_tc3(
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        service=service,
        host=f"127.0.0.1:{emulator.port}",
        content_type="application/json",
        timestamp=ts or int(time.time()),
        payload=body,
    )


def _signed_headers(emulator, body: bytes, action: str) -> dict[str, str]:
    ts = int(time.time())
    return {
        "Authorization": _auth_for("batch", emulator, body, ts),
        "Content-Type": "application/json",
        "Host": f"127.0.0.1:{emulator.port}",
        "X-TC-Action": action,
        "X-TC-Version": "2017-03-12",
        "X-TC-Timestamp": str(ts),
    }
