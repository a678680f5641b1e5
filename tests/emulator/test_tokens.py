"""Temporary key pairs: the emulator issues them (`POST /_emulator/sts`, as STS does) and
refuses a token that does not belong with the SecretId, as the signature pages say ("It must
be used with a temporary key [...] No token is required for a long-term key",
https://www.tencentcloud.com/document/api/599/33212), all through the official SDK."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from tests.conftest import sdk_profile
from tests.emulator.sdk import call
from tests.waiting import wait_for

SIGN_METHODS = ["TC3-HMAC-SHA256", "HmacSHA256"]  # signature v3 (X-TC-Token) and v1 (Token)


def issue(emulator: Emulator, duration: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{emulator.port}/_emulator/sts"
    reply = requests.post(url, json={"duration": duration}, timeout=5)
    reply.raise_for_status()
    return reply.json()


def batch_client(emulator: Emulator, cred: Any, sign_method: str = SIGN_METHODS[0]) -> Any:
    from tencentcloud.batch.v20170312 import batch_client

    profile = sdk_profile(emulator, sign_method=sign_method)
    return batch_client.BatchClient(cred, "ap-guangzhou", profile)


def omics_client(emulator: Emulator, cred: Any) -> Any:
    from tencentcloud.omics.v20221128 import omics_client

    return omics_client.OmicsClient(cred, "ap-guangzhou", sdk_profile(emulator))


def temporary(pair: dict[str, Any], token: str | None = None) -> Any:
    return credential.Credential(
        pair["SecretId"], pair["SecretKey"], pair["Token"] if token is None else token
    )


def refusal(client: Any, action: str = "DescribeJobs") -> str:
    with pytest.raises(TencentCloudSDKException) as refused:
        call(client, action, {})
    return str(refused.value.code)


def test_an_issued_pair_says_when_it_expires(emulator):
    before = int(time.time())
    pair = issue(emulator, 900)
    assert pair["SecretId"].startswith("AKID") and pair["SecretKey"] and pair["Token"]
    assert before + 900 <= pair["ExpiredTime"] <= int(time.time()) + 900
    expiration = datetime.fromisoformat(pair["Expiration"])
    assert expiration == datetime.fromtimestamp(pair["ExpiredTime"], UTC)


@pytest.mark.parametrize("sign_method", SIGN_METHODS)
def test_a_temporary_pair_with_its_token_is_served(emulator, sign_method):
    cred = temporary(issue(emulator, 600))
    assert call(batch_client(emulator, cred, sign_method), "DescribeJobs", {}).TotalCount > 0
    assert call(omics_client(emulator, cred), "DescribeEnvironments", {}).TotalCount >= 0


@pytest.mark.parametrize("sign_method", SIGN_METHODS)
def test_a_token_sent_with_a_long_term_key_is_refused(emulator, sign_method):
    cred = credential.Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY, issue(emulator, 600)["Token"])
    assert refusal(batch_client(emulator, cred, sign_method)) == "AuthFailure.TokenFailure"
    assert refusal(omics_client(emulator, cred), "DescribeEnvironments") == (
        "AuthFailure.TokenFailure"
    )
    long_term = credential.Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY)  # the same key, no token
    assert call(batch_client(emulator, long_term, sign_method), "DescribeJobs", {}).TotalCount


@pytest.mark.parametrize("sign_method", SIGN_METHODS)
def test_a_temporary_pair_without_its_own_token_is_refused(emulator, sign_method):
    pair, other = issue(emulator, 600), issue(emulator, 600)
    for token in ("", "not-the-token", other["Token"]):
        client = batch_client(emulator, temporary(pair, token), sign_method)
        assert refusal(client) == "AuthFailure.TokenFailure", token


def test_an_expired_pair_is_refused_for_its_token(emulator):
    cred = temporary(issue(emulator, 0))  # 0: already expired (the admin endpoint allows it)
    assert refusal(batch_client(emulator, cred)) == "AuthFailure.TokenFailure"


def test_a_pair_stops_working_when_it_expires(emulator):
    cred = temporary(issue(emulator, 2))
    client = batch_client(emulator, cred)
    assert call(client, "DescribeJobs", {}).TotalCount > 0

    def refused() -> bool:
        try:
            call(client, "DescribeJobs", {})
        except TencentCloudSDKException as err:
            return err.code == "AuthFailure.TokenFailure"
        return False

    wait_for(refused, 10, "the emulator refuses the pair after its ExpiredTime")
