"""The rooms of the house hold: only the gateway sends requests to the cloud (there is no way
around the limiter), the official SDK is never imported by runtime code, the products do not
know each other, and no view talks to the cloud client (docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from apps.cloud import gateway
from apps.cloud.scope import Scope
from apps.cloud.services import account_create
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

APPS = Path(__file__).resolve().parents[2] / "apps"
RUNTIME = [p for p in APPS.rglob("*.py") if "emulator" not in p.parts]


PRODUCTS = ("batch", "omics")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def cross_product_imports(apps: Path) -> list[str]:
    """`file -> module` for each import of one product app (batch, omics) by the other."""
    offenders = []
    for product in PRODUCTS:
        others = [f"apps.{other}" for other in PRODUCTS if other != product]
        for path in (apps / product).rglob("*.py"):
            for module in sorted(imported_modules(path)):
                if any(module == o or module.startswith(o + ".") for o in others):
                    offenders.append(f"{path.relative_to(apps)} -> {module}")
    return offenders


def views_using_the_client(apps: Path) -> list[str]:
    """Views (`views.py`, `views/`) that import the cloud client: pages read the cache only."""
    views = [p for p in apps.rglob("*.py") if p.name == "views.py" or "views" in p.parent.parts]
    return [
        str(p.relative_to(apps))
        for p in views
        if "emulator" not in p.parts
        and any(
            m == "apps.cloud.client" or m.startswith("apps.cloud.client.")
            for m in imported_modules(p)
        )
    ]


def test_no_product_app_imports_the_other():
    assert cross_product_imports(APPS) == []


def test_no_view_imports_the_cloud_client():
    assert views_using_the_client(APPS) == []


def test_the_checks_see_imports_anywhere_in_a_module(tmp_path):
    """The two checks above would fail: a lazy import inside a function counts too."""
    (tmp_path / "omics").mkdir()
    (tmp_path / "batch").mkdir()
    (tmp_path / "omics" / "views.py").write_text(
        "def page():\n    from apps.batch.models import Job\n    from apps.cloud import client\n"
    )
    (tmp_path / "batch" / "sync.py").write_text("import apps.omics.sync\n")
    assert cross_product_imports(tmp_path) == [
        "batch/sync.py -> apps.omics.sync",
        "omics/views.py -> apps.batch.models",
        "omics/views.py -> apps.batch.models.Job",
    ]
    assert views_using_the_client(tmp_path) == ["omics/views.py"]


def test_only_the_gateway_calls_the_client():
    offenders = [
        str(path.relative_to(APPS))
        for path in RUNTIME
        if path.name != "gateway.py"
        and re.search(r"\bclient\.call\(|from apps\.cloud\.client import call", path.read_text())
    ]
    assert offenders == []


def test_runtime_code_never_imports_the_official_sdk():
    offenders = [
        str(p.relative_to(APPS))
        for p in APPS.rglob("*.py")
        if "tencentcloud" in p.read_text()
        and re.search(r"^\s*(from|import) tencentcloud", p.read_text(), re.M)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_budget_snapshot_shows_each_bucket_with_its_rate(emulator):
    account = account_create(
        name="snap",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=["ap-guangzhou"],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    gateway.cloud_call(Scope(account, "ap-guangzhou"), "batch", "DescribeJobs", {"Limit": 1})
    [row] = gateway.budget_snapshot()
    assert (row["account"], row["action"], row["calls"], row["limit_errors"]) == (
        "snap",
        "DescribeJobs",
        1,
        0,
    )
    assert row["configured_rate"] == pytest.approx(1.0)  # 2/s x the default share 0.5
