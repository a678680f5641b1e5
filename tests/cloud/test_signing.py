"""Our TC3 signature equals the official SDK's byte for byte (the SDK is the oracle)."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from tencentcloud.batch.v20170312 import batch_client
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from apps.cloud import signing

SECRET_ID, SECRET_KEY = "AKIDEXAMPLE", "EXAMPLEKEYexamplekey0123456789ab"


def test_a_known_batch_vector():
    """A vector worked out for batch with the algorithm of
    https://www.tencentcloud.com/document/api/599/33212 (the page's own example signs for CVM
    with a masked key): payload {"Limit": 20, "Offset": 0} at 1551113065, the page's timestamp."""
    header = signing.sign_tc3(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        service="batch",
        host="batch.tencentcloudapi.com",
        content_type="application/json; charset=utf-8",
        timestamp=1551113065,
        payload=b'{"Limit": 20, "Offset": 0}',
    )
    assert header == (
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/batch/tc3_request, SignedHeaders=content-type;host, "
        "Signature=a695b1bf7382d706a7ba818121c597241e38699479e87818956a1468185eab9a"
    )


def _sdk_authorization(
    params: dict, *, service_client=batch_client.BatchClient, method="POST"
) -> tuple:
    """What the SDK sends for `params` at a fixed time: (Authorization, Host, body or query)."""
    client = service_client(
        credential.Credential(SECRET_ID, SECRET_KEY),
        "ap-guangzhou",
        ClientProfile(
            httpProfile=HttpProfile(endpoint="batch.tencentcloudapi.com", reqMethod=method)
        ),
    )
    from tencentcloud.common.abstract_client import RequestInternal

    req = RequestInternal(client._get_endpoint(), method, client._requestPath)
    with mock.patch("time.time", return_value=1700000000):
        client._build_req_with_tc3_signature("DescribeJobs", params, req)
    return req.header["Authorization"], req.header["Host"], req.data, req.header["Content-Type"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"Limit": 100},
        {"Filters": [{"Name": "job-state", "Values": ["RUNNING", "FAILED"]}], "Offset": 200},
        {"JobIds": ["job-abcdefgh"], "Note": "非 ASCII ✓"},
    ],
)
def test_post_signature_equals_the_sdks(params):
    expected, host, body, content_type = _sdk_authorization(params)
    ours = signing.sign_tc3(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        service="batch",
        host=host,
        content_type=content_type,
        timestamp=1700000000,
        payload=body.encode("utf-8"),
    )
    assert json.loads(body) == params
    assert ours == expected


def test_get_signature_equals_the_sdks():
    expected, host, query, content_type = _sdk_authorization(
        {"Limit": 5, "Offset": 10}, method="GET"
    )
    ours = signing.sign_tc3(
        secret_id=SECRET_ID,
        secret_key=SECRET_KEY,
        service="batch",
        host=host,
        content_type=content_type,
        timestamp=1700000000,
        method="GET",
        query=query,
    )
    assert ours == expected


def test_the_credential_date_is_the_utc_day():
    # 2019-02-26 00:04 in UTC+8 is still 2019-02-25 in UTC (the doc's midnight warning)
    assert signing.utc_date(1551110665 + 2400) == "2019-02-25"


def test_parse_authorization_round_trip():
    header = signing.authorization_header(
        secret_id="AKID1",
        date="2024-01-02",
        service="omics",
        signed_headers=["content-type", "host"],
        signature="ab" * 32,
    )
    parsed = signing.parse_authorization(header)
    assert parsed is not None
    assert (parsed.secret_id, parsed.service, parsed.signed_headers) == (
        "AKID1",
        "omics",
        ["content-type", "host"],
    )
    assert signing.parse_authorization("Basic dXNlcjpwYXNz") is None
