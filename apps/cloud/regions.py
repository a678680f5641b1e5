"""The regions each product, and each group of its actions, serves: an account may watch only
these, and nothing is sent where the cloud would answer `UnsupportedRegion`.

A region is pasted into the API host name (`batch.<region>.tencentcloudapi.com`), so it must
be one of the cloud's names, never text a user chose; and every region costs a set of sync
streams, so the list is also the bound on how many an account can have.

These tables are Jobdeck's reading of the docs, kept apart from the emulator's own
(`apps/emulator/*/product.py`) on purpose: the emulator stands for the cloud, so a wrong table
here fails a test instead of agreeing with itself.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

# The twelve "omics platform" actions answer in three of those only: each of their pages says
# "本接口仅支持其中的: ap-beijing, ap-guangzhou, ap-shanghai" (DescribeRunGroups,
# https://cloud.tencent.com/document/api/1643/89099; DescribeRuns, /89098; GetRunCalls, /89097;
# GetRunStatus, /89096; ImportTableFile, /89095; RunApplication, /89094; DescribeTables,
# /90980; DescribeTablesRows, /90979; RetryRuns, /90978; GetRunMetadataFile, /100858;
# TerminateRunGroup, /100856; RunWorkflow, /100857). The environment and volume actions carry
# no such line, so they answer in all four. DescribeProjects
# (https://cloud.tencent.com/document/product/1643/130409) is taken as one of them: projects
# hold only what the platform actions see, and the run group stream calls it with them.
OMICS_PLATFORM_REGIONS = frozenset({"ap-beijing", "ap-guangzhou", "ap-shanghai"})
OMICS_PLATFORM_ACTIONS = frozenset(
    "DescribeRunGroups DescribeRuns GetRunCalls GetRunMetadataFile GetRunStatus "
    "TerminateRunGroup ImportTableFile RunApplication RunWorkflow DescribeTables "
    "DescribeTablesRows RetryRuns DescribeProjects".split()
)

SERVED = BATCH_REGIONS | OMICS_REGIONS

PRODUCT_REGIONS: dict[str, frozenset[str]] = {"batch": BATCH_REGIONS, "omics": OMICS_REGIONS}
# Actions served in fewer regions than their product.
ACTION_REGIONS: dict[tuple[str, str], frozenset[str]] = {
    ("omics", action): OMICS_PLATFORM_REGIONS for action in OMICS_PLATFORM_ACTIONS
}


def serves(service: str, action: str, region: str) -> bool:
    """Whether the cloud answers `action` of `service` in `region` (else `UnsupportedRegion`).
    An action the tables do not name is taken to be served wherever its product is."""
    product = PRODUCT_REGIONS.get(service, frozenset())
    return region in product and region in ACTION_REGIONS.get((service, action), product)


# What a person is told a region gets: each product's parts, with the regions of each.
PRODUCT_NAMES: dict[str, Promise] = {
    "batch": gettext_lazy("BatchCompute"),
    "omics": gettext_lazy("Omics"),
}
PARTS: tuple[tuple[str, frozenset[str], Promise], ...] = (
    ("batch", BATCH_REGIONS, gettext_lazy("BatchCompute")),
    ("omics", OMICS_REGIONS, gettext_lazy("Omics environments")),
    ("omics", OMICS_PLATFORM_REGIONS, gettext_lazy("Omics runs")),
)


def products_in(region: str) -> list[str]:
    """What an account watching `region` gets, e.g. ["BatchCompute", "Omics"] or
    ["Omics environments only"]."""
    return [
        name if whole else _("%(part)s only") % {"part": name}
        for name, whole in _parts(region, served=True)
    ]


def missing_in(region: str) -> list[str]:
    """What an account watching `region` does not get there, e.g. ["Omics"] in ap-hongkong."""
    return [name for name, _whole in _parts(region, served=False)]


def _parts(region: str, *, served: bool) -> list[tuple[str, bool]]:
    """(name, whether it is the whole product) of the parts served (or not) in `region`: a
    product all of whose parts match is named once, by its own name."""
    named: list[tuple[str, bool]] = []
    for service, product in PRODUCT_NAMES.items():
        parts = [(regions, label) for s, regions, label in PARTS if s == service]
        matching = [str(label) for regions, label in parts if (region in regions) == served]
        if len(matching) == len(parts):
            named.append((str(product), True))
        else:
            named.extend((label, False) for label in matching)
    return named


def region_label(region: str) -> str:
    """A region as the account form offers it: "ap-guangzhou — BatchCompute, Omics"."""
    return f"{region} — {', '.join(products_in(region))}"


def region_choices() -> list[tuple[str, str]]:
    """Every served region with what it gets, in a stable order."""
    return [(region, region_label(region)) for region in sorted(SERVED)]


def region_name(value: object, *, code: str) -> str:
    """`value` if it has the shape of a region name, else a ValidationError that quotes it
    shortened (checked first: a hostile value is refused without being echoed whole)."""
    if not isinstance(value, str) or not REGION_PATTERN.fullmatch(value):
        raise ValidationError(
            _("%(region)r is not a region name (like ap-guangzhou).") % {"region": str(value)[:40]},
            code=code,
        )
    return value


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
        region = region_name(region, code="regions")
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
