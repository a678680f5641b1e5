"""Run settings the omics world keeps: access mode, cache clean-up, default volume, retry names."""

from __future__ import annotations

from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    demo_ids,
    finished_group,
    group,
    refusal,
    run_application,
    runs_of,
    sdk,
)


def test_access_mode_and_cache_clear_delay_are_kept(emulator, clock):
    client = omics_sdk(emulator)
    demo = demo_ids(emulator)
    group_id = run_application(client, demo, AccessMode="PUBLIC", CacheClearDelay=2)
    assert group(client, group_id)["AccessMode"] == "PUBLIC"
    finished_group(clock, client, group_id)
    cache = runs_of(client, group_id)[0]["Cache"]
    assert cache["CacheClearDelay"] == 2
    assert cache["CacheClearTime"] and cache["CacheCleared"] is False
    clock.advance(2 * 3600 + 60)
    assert runs_of(client, group_id)[0]["Cache"]["CacheCleared"] is True


def test_a_bad_access_mode_is_refused(emulator):
    client = omics_sdk(emulator)
    demo = demo_ids(emulator)
    assert refusal(
        client,
        "RunApplication",
        {
            "ApplicationId": demo.wdl_app,
            "Name": "x",
            "AccessMode": "SHARED",
            "EnvironmentId": demo.env_id,
            "InputBase64": "e30=",
        },
    ) == ("InvalidParameterValue")


def test_no_volume_given_means_the_default_volume(emulator):
    client = omics_sdk(emulator)
    demo = demo_ids(emulator)
    volumes = group(client, run_application(client, demo))["Volumes"]
    assert [v["VolumeId"] for v in volumes] == [demo.volume_id]


def test_retried_groups_get_unique_names(emulator, clock):
    client = omics_sdk(emulator)
    demo = demo_ids(emulator)
    group_id = run_application(client, demo)
    sdk(client, "TerminateRunGroup", {"RunGroupId": group_id})
    first = sdk(client, "RetryRuns", {"RunGroupId": group_id})["RunGroupId"]
    sdk(client, "TerminateRunGroup", {"RunGroupId": first})
    second = sdk(client, "RetryRuns", {"RunGroupId": first})["RunGroupId"]
    names = {group(client, g)["Name"] for g in (group_id, first, second)}
    assert len(names) == 3
