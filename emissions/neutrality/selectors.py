"""Reduction initiatives on the marginal abatement cost curve.

The neutrality balance, pathways and every other total live in inventory.py (the read model);
its names are re-exported here for the callers that knew them from this module.
"""

from dataclasses import dataclass
from decimal import Decimal

from .inventory import (  # noqa: F401  (re-exported)
    KG_PER_TONNE,
    NEUTRALITY_KINDS,
    YearBalance,
    neutrality_target,
    pathway_kg,
    target_pathway,
    yearly_balance,
)
from .models import ReductionInitiative

ZERO = Decimal(0)


@dataclass(frozen=True)
class MacRow:
    """One bar of the marginal abatement cost curve."""

    initiative: ReductionInitiative
    abatement_t: Decimal  # per year
    cost_per_t: Decimal  # negative: the initiative saves money
    cumulative_start_t: Decimal  # where the bar starts on the curve's x axis


def initiatives_mac(statuses=None) -> list[MacRow]:
    """Reduction initiatives cheapest per tonne first, with their place on the MAC curve."""
    initiatives = ReductionInitiative.objects.select_related("facility")
    if statuses is not None:
        initiatives = initiatives.filter(status__in=statuses)
    ordered = sorted(initiatives, key=lambda item: (item.abatement_cost_per_t, item.title, item.pk))
    rows, start = [], ZERO
    for initiative in ordered:
        abatement = initiative.expected_abatement_t_per_year
        rows.append(MacRow(initiative, abatement, initiative.abatement_cost_per_t, start))
        start += abatement
    return rows
