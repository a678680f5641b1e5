"""docker-compose.yml as a team deploys it: no default key, every service restarted when it
exits, Redis kept across restarts. (No Docker on the test machines: the file is read as
compose reads it.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_two_keys_have_no_default_and_debug_is_not_turned_on():
    app = compose()["x-app"]["environment"]
    for key in ("DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
        # ${KEY:?message}: compose refuses to start without it
        assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", app[key]), app[key]
    for service in compose()["services"].values():
        assert "DJANGO_DEBUG" not in (service.get("environment") or {})
    assert "DJANGO_DEBUG" not in app


def test_every_long_running_service_is_restarted_when_it_exits():
    for name, service in compose()["services"].items():
        assert service.get("restart") == "unless-stopped", name


def test_redis_keeps_its_data_on_a_volume_with_an_append_only_file():
    redis = compose()["services"]["redis"]
    assert "--appendonly yes" in redis["command"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
