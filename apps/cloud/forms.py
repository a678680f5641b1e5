"""The form field for an account's regions, shared by the team page and the Django admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.cloud.regions import clean_regions, region_choices


class RegionsField(forms.MultipleChoiceField):
    """One checkbox per served region, each labelled with what it gets ("ap-nanjing — Omics
    environments only"). Validated by `clean_regions` alone, not Django's choice check: the
    pattern comes first there, so a hostile value is refused without being echoed."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Regions"))
        kwargs.setdefault("help_text", _("Each region gets only the products served there."))
        # A callable: the labels are translated when the form is shown, not at import.
        super().__init__(choices=region_choices, **kwargs)

    def clean(self, value: Any) -> list[str]:
        return clean_regions(self.to_python(value))
