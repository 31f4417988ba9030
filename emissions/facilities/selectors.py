"""Reads of facilities for pages and exports."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import Facility, FacilityOutput, OutputMetric


def facilities_for_listing(*, include_inactive: bool = True) -> QuerySet[Facility]:
    facilities = Facility.objects.order_by("code")
    if not include_inactive:
        facilities = facilities.filter(is_active=True)
    return facilities


def production_by_year(*, facility_ids=None) -> dict[int, tuple[Decimal, str]]:
    """Production output per year (summed over facilities), with its unit; one query."""
    outputs = FacilityOutput.objects.filter(metric=OutputMetric.PRODUCTION)
    if facility_ids is not None:
        outputs = outputs.filter(facility_id__in=facility_ids)
    rows = outputs.order_by().values("year", "unit").annotate(total=Sum("value"))
    totals: dict[int, tuple[Decimal, str]] = {}
    for row in rows:
        # Units differ only if someone typed two for one metric: keep the first, sum is per unit.
        totals.setdefault(row["year"], (row["total"], row["unit"]))
    return totals
