"""The Omics API (`omics`, 2022-11-28) as the emulator serves it; its actions register
themselves from the api_* modules."""

from __future__ import annotations

from collections.abc import Callable

from apps.emulator.registry import Handler, Product
from apps.emulator.schema import Spec

# The region list of https://cloud.tencent.com/document/api/1643/89104; Region is required.
REGIONS = ("ap-guangzhou", "ap-beijing", "ap-shanghai", "ap-nanjing")
# The twelve "omics platform" actions answer only in three regions: each of their pages says
# "本接口仅支持其中的: ap-beijing, ap-guangzhou, ap-shanghai" (for one,
# https://cloud.tencent.com/document/api/1643/89099).
PLATFORM_REGIONS = ("ap-beijing", "ap-guangzhou", "ap-shanghai")
LIMIT = 20  # "默认接口请求频率限制：20次/秒" on every action page

PRODUCT = Product(service="omics", version="2022-11-28", regions=REGIONS, region_required=True)


def platform_action(
    name: str, *, params: dict[str, Spec], required: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Register an "omics platform" action: served in PLATFORM_REGIONS only."""
    PRODUCT.action_regions[name] = PLATFORM_REGIONS
    return PRODUCT.action(name, params=params, required=required, limit=LIMIT)
