"""The BatchCompute API (`batch`, 2017-03-12) as the emulator serves it; its actions register
themselves from the api_* modules."""

from __future__ import annotations

from apps.emulator.registry import Product

# The regions of https://www.tencentcloud.com/document/api/599/30368; the first is used when a
# request names no region (it is optional).
REGIONS = tuple(
    "ap-guangzhou ap-shanghai ap-beijing ap-chengdu ap-chongqing ap-hongkong ap-singapore "
    "ap-bangkok ap-mumbai ap-seoul ap-tokyo na-ashburn na-siliconvalley na-toronto "
    "eu-frankfurt".split()
)

PRODUCT = Product(service="batch", version="2017-03-12", regions=REGIONS, region_required=False)
