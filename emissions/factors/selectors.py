"""Reads of the factor library: candidate factors and GWP values."""

from decimal import Decimal

from django.db.models import QuerySet

from .models import EmissionFactor, Gas

# Methane: one value per report (AR4 25, AR5 28, AR6 27.9) — see docs/methodology.md.
METHANE_CODE = "CH4"
NITROUS_OXIDE_CODE = "N2O"


def factors_in_group(group: str, *, series: frozenset[str], regions: list[str]) -> QuerySet:
    return EmissionFactor.objects.filter(
        group=group, series__in=series, region__in=regions
    ).select_related("dataset")


def gwp_values(basis: str) -> dict[str, Decimal]:
    """GWP of every gas under one basis, by gas code (gases without a value are left out)."""
    field = f"gwp_{basis.lower()}"
    return {
        code: value for code, value in Gas.objects.values_list("code", field) if value is not None
    }
