"""The green-power share of electricity, per year and per facility, against a target share.

China asks energy-intensive sectors for a share of green power in the electricity they consume:
NDRC, NEA et al. Doc. 262 (发改能源〔2025〕262号, March 2025) for steel, non-ferrous metals,
building materials, petrochemicals, chemicals and data centres, counted mainly with green
certificates; the yearly shares per province and sector follow in the NDRC/NEA notices on
renewable consumption weights (e.g. 发改办能源〔2025〕669号). The organisation profile holds the
share that applies to it and where it comes from (docs/methodology.md, "Green-power share").

The share itself is the inventory's renewable share (inventory.YearBalance, FacilityYear): kWh
covered by zero-emission certificates plus on-site renewable kWh, over all electricity consumed
(grid and on-site renewable). Nothing is summed here; this module only sets it against the target.
"""

from dataclasses import dataclass
from decimal import Decimal

from emissions.facilities.models import Organisation

from .inventory import FacilityYear, YearBalance


@dataclass(frozen=True)
class GreenPowerTarget:
    """The organisation's target share (%) and its basis, e.g. "Doc. 262 (2025), steel"."""

    pct: Decimal
    basis: str

    @classmethod
    def of(cls, organisation: Organisation | None) -> "GreenPowerTarget | None":
        if organisation is None or organisation.green_power_target_pct is None:
            return None
        return cls(organisation.green_power_target_pct, organisation.green_power_target_basis)

    @property
    def places(self) -> int:
        """Decimals to show it with: "25 %", "27.5 %", "27.25 %"."""
        return max(0, -self.pct.normalize().as_tuple().exponent)


@dataclass(frozen=True)
class GreenPowerShare:
    """One year's green-power share, of the organisation or of one facility (facility_id)."""

    year: int
    facility_id: int | None
    renewable_kwh: Decimal
    electricity_kwh: Decimal
    share_pct: Decimal | None  # half-up to 0.1 %; None without electricity
    target: GreenPowerTarget | None

    @property
    def met(self) -> bool | None:
        """Whether the share reaches the target; None without a target or electricity.

        Compared unrounded: 24.96 % is shown as 25.0 % but does not meet a 25 % target.
        """
        if self.target is None or not self.electricity_kwh:
            return None
        return self.renewable_kwh * 100 >= self.target.pct * self.electricity_kwh


def organisation_shares(
    balances: list[YearBalance], target: GreenPowerTarget | None
) -> list[GreenPowerShare]:
    """The organisation's share in each year of `balances`, in their order."""
    return [
        GreenPowerShare(
            year=b.year,
            facility_id=None,
            renewable_kwh=b.renewable_kwh,
            electricity_kwh=b.electricity_kwh,
            share_pct=b.renewable_share_pct,
            target=target,
        )
        for b in balances
    ]


def facility_shares(
    facility_years: list[FacilityYear], target: GreenPowerTarget | None
) -> list[GreenPowerShare]:
    """Each facility-year's share, for the facility-years that consumed electricity."""
    return [
        GreenPowerShare(
            year=f.year,
            facility_id=f.facility_id,
            renewable_kwh=f.renewable_kwh,
            electricity_kwh=f.electricity_kwh,
            share_pct=f.renewable_share_pct,
            target=target,
        )
        for f in facility_years
        if f.electricity_kwh
    ]
