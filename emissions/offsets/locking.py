"""Own tree planting and locked reporting years (emissions/facilities/periods.py).

Retirements, reversals and certificates belong to one reporting year and their services ask
`periods.assert_open`; a planting counts in every year from its planting year on, so it is
refused while any of those years is locked.
"""

from django.db.models import Min, QuerySet

from emissions.facilities import periods

from .models import TreePlanting


def assert_planting_open(planting: TreePlanting) -> None:
    """Refuse (ValidationError) a planting whose new or stored planting year reaches a lock."""
    years = [planting.planting_year]
    if planting.pk is not None:
        stored = TreePlanting.objects.filter(pk=planting.pk).values_list("planting_year")
        years.extend(year for (year,) in stored)
    years = [year for year in years if isinstance(year, int)]
    periods.assert_open_from(min(years, default=None), field="planting_year")


def assert_plantings_deletable(plantings: QuerySet) -> None:
    """Refuse (ValidationError) deleting plantings that count in a locked year."""
    first = plantings.aggregate(first=Min("planting_year"))["first"]
    periods.assert_open_from(first)
