"""The regions each product serves: an account may watch only these.

A region is pasted into the API host name (`batch.<region>.tencentcloudapi.com`), so it must
be one of the cloud's names, never text a user chose; and every region costs a set of sync
streams, so the list is also the bound on how many an account can have.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The shape of every Tencent Cloud region name (ap-guangzhou, na-siliconvalley,
# ap-shanghai-fsi): checked first, so a hostile value is refused without being echoed.
REGION_PATTERN = re.compile(r"[a-z]{2}-[a-z]{3,20}(-[a-z]{3})?")

# BatchCompute: https://www.tencentcloud.com/document/api/599/30368 (Region List).
BATCH_REGIONS = frozenset(
    "ap-guangzhou ap-shanghai ap-beijing ap-chengdu ap-chongqing ap-hongkong ap-singapore "
    "ap-bangkok ap-mumbai ap-seoul ap-tokyo na-ashburn na-siliconvalley na-toronto "
    "eu-frankfurt".split()
)
# Omics: the region list of the common parameters,
# https://cloud.tencent.com/document/api/1643/89104.
OMICS_REGIONS = frozenset({"ap-beijing", "ap-guangzhou", "ap-nanjing", "ap-shanghai"})

SERVED = BATCH_REGIONS | OMICS_REGIONS


def clean_regions(regions: object) -> list[str]:
    """The account's regions as a list of distinct served names, or a ValidationError that
    says which entry is wrong."""
    if not isinstance(regions, list) or not regions:
        raise ValidationError(_("Name at least one region."), code="regions")
    if len(regions) > len(SERVED):
        raise ValidationError(
            _("At most %(count)d regions: the products serve no more.") % {"count": len(SERVED)},
            code="regions",
        )
    cleaned: list[str] = []
    for region in regions:
        if not isinstance(region, str) or not REGION_PATTERN.fullmatch(region):
            raise ValidationError(
                _("%(region)r is not a region name (like ap-guangzhou).")
                % {"region": str(region)[:40]},
                code="regions",
            )
        if region not in SERVED:
            raise ValidationError(
                _("%(region)s is not served by BatchCompute or Omics.") % {"region": region},
                code="regions",
            )
        if region in cleaned:
            raise ValidationError(
                _("%(region)s is named twice.") % {"region": region}, code="regions"
            )
        cleaned.append(region)
    return cleaned
