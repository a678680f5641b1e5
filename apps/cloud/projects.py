"""The Omics projects a team admin names for an account, per region.

DescribeProjects lists a region's projects where the key pair may call it; a key pair whose
CAM policy lacks it sees only the default project unless the admin names the others. They
are written one per line, `<region> <project id>`, and kept as {region: [project ids]}.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.cloud.regions import region_name

# prj-peaceful-pink-bird-631828, as every example of the Omics docs shows them.
PROJECT_PATTERN = re.compile(r"prj-[a-z0-9][a-z0-9-]{0,62}")
MAX_PROJECTS = 100  # per account: each costs a listing per pass


def projects_as_text(projects: dict[str, list[str]] | None) -> str:
    return "\n".join(f"{region} {pid}" for region, ids in (projects or {}).items() for pid in ids)


def parse_projects(text: str) -> dict[str, list[str]]:
    """`<region> <project id>` lines as {region: [ids]}; a ValidationError names the line."""
    projects: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if len(words) != 2:
            raise ValidationError(
                _("Line %(number)d: write a region and a project id, like ap-guangzhou prj-….")
                % {"number": number},
                code="omics_projects",
            )
        region, project_id = words
        ids = projects.setdefault(region, [])
        if project_id not in ids:
            ids.append(project_id)
    return projects


def clean_omics_projects(projects: object, regions: list[str]) -> dict[str, list[str]]:
    """Projects by region, each region one the account watches and each id a project id."""
    if not projects:
        return {}
    if not isinstance(projects, dict):
        raise ValidationError(_("Name projects by region."), code="omics_projects")
    count = 0
    for region, ids in projects.items():
        region_name(region, code="omics_projects")
        if region not in regions:
            raise ValidationError(
                _("%(region)s is not one of the account's regions.") % {"region": region},
                code="omics_projects",
            )
        if not isinstance(ids, list):
            raise ValidationError(_("Name projects by region."), code="omics_projects")
        for project_id in ids:
            if not isinstance(project_id, str) or not PROJECT_PATTERN.fullmatch(project_id):
                raise ValidationError(
                    _("%(project)r is not a project id (like prj-peaceful-pink-bird-631828).")
                    % {"project": str(project_id)[:70]},
                    code="omics_projects",
                )
        count += len(ids)
    if count > MAX_PROJECTS:
        raise ValidationError(
            _("At most %(count)d projects.") % {"count": MAX_PROJECTS}, code="omics_projects"
        )
    return {region: list(ids) for region, ids in projects.items() if ids}
