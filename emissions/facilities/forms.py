"""The organisation profile's form: the admin edits the profile through it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation

TARGET_NEEDS_BASIS = _(
    "Say where the green-power target share comes from, e.g. “Doc. 262 (2025) share for the "
    "steel sector”."
)
BASIS_NEEDS_TARGET = _("Enter the green-power target share this basis sets.")


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name_en",
            "name_zh",
            "reporting_currency",
            "consolidation_approach",
            "gwp_basis",
            "base_year",
            "restatement_threshold_pct",
            "electricity_series",
            "flight_radiative_forcing",
            "count_internal_removals",
            "residual_mix",
            "market_scope2_matching",
            "green_power_target_pct",
            "green_power_target_basis",
        ]

    def clean(self):
        # The database holds a share and its basis only together (a constraint, for every
        # writing path); here the message lands on the one that is missing. A field that
        # failed on its own ("Enter a number.") is not reported missing as well.
        cleaned = super().clean()
        if self.has_error("green_power_target_pct"):
            return cleaned
        has_share = cleaned.get("green_power_target_pct") is not None
        has_basis = bool(cleaned.get("green_power_target_basis"))
        if has_share and not has_basis:
            self.add_error("green_power_target_basis", TARGET_NEEDS_BASIS)
        elif has_basis and not has_share:
            self.add_error("green_power_target_pct", BASIS_NEEDS_TARGET)
        return cleaned
