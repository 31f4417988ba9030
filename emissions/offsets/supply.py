"""Renewable electricity supplied by instruments, month by month: what market-based Scope 2
matches against consumption (annually, or hour by hour under the draft GHG Protocol rules).

One `SupplyBlock` is one instrument's electricity in one month of the reporting year: a green-power
contract's settled volume, or unbundled certificates (GECs: their production month; other schemes:
their generation period spread evenly over its months).
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from .models import ContractGenerationDay, ContractSettlement, EnergyCertificate

KWH_PER_MWH = Decimal(1000)
KWH_PLACES = Decimal("0.000001")
MILLIONTHS_PER_KWH = 10**6


class Instrument:
    UNBUNDLED_CERTIFICATE = "certificate"
    GREEN_POWER_CONTRACT = "green_power_contract"


@dataclass(frozen=True)
class SupplyBlock:
    # None: organisation-wide, shared by the facilities of its market (as in annual Scope 2).
    facility_id: int | None
    market_country: str
    instrument: str
    technology: str
    year: int
    month: int
    kwh: Decimal
    kg_co2e_per_kwh: Decimal
    # Per hour of that month (China Standard Time, hour 0 = the 1st, 00:00–01:00), when the
    # generator's profile is known (a contract's: the settled kWh in its shape, adding up to
    # `kwh`); None: only the monthly volume is known.
    hourly_kwh: tuple[Decimal, ...] | None = None


def supply_blocks(year: int) -> list[SupplyBlock]:
    """The instruments applied to `year`, month by month (three queries).

    GECs: their production month (possibly of an earlier year: such a block can match no hour of
    `year`). Other certificates: their generation period's MWh spread evenly over its months,
    the last month taking what rounding leaves. Contracts: each month's settled kWh, on the
    generator's hourly profile when one is stored for every day of the month (`_profile`).
    """
    blocks = []
    certificates = EnergyCertificate.objects.filter(reporting_year=year).order_by("pk")
    for certificate in certificates:
        months = _months(certificate.generation_start, certificate.generation_end)
        kwh = certificate.mwh * KWH_PER_MWH
        share = (kwh / len(months)).quantize(KWH_PLACES, rounding=ROUND_HALF_UP)
        for index, (block_year, month) in enumerate(months):
            last = index == len(months) - 1
            blocks.append(
                SupplyBlock(
                    facility_id=certificate.facility_id,
                    market_country=certificate.market_country,
                    instrument=Instrument.UNBUNDLED_CERTIFICATE,
                    technology=certificate.technology,
                    year=block_year,
                    month=month,
                    kwh=kwh - share * (len(months) - 1) if last else share,
                    kg_co2e_per_kwh=certificate.kg_co2e_per_kwh,
                )
            )
    settlements = (
        ContractSettlement.objects.filter(year=year)
        .select_related("contract")
        .order_by("contract_id", "month")
    )
    profiles = _generation_by_month(year)
    for settlement in settlements:
        contract = settlement.contract
        blocks.append(
            SupplyBlock(
                facility_id=contract.facility_id,
                market_country=contract.market_country,
                instrument=Instrument.GREEN_POWER_CONTRACT,
                technology=contract.technology,
                year=settlement.year,
                month=settlement.month,
                kwh=settlement.kwh,
                kg_co2e_per_kwh=Decimal(0),
                hourly_kwh=_profile(
                    settlement.kwh,
                    profiles.get((contract.pk, settlement.month), {}),
                    year,
                    settlement.month,
                ),
            )
        )
    return blocks


def _generation_by_month(year: int) -> dict[tuple[int, int], dict]:
    """{(contract id, month): {day: its 24 hourly kWh}} of the contracts' stored generation in
    `year` (one query; a year of a contract is 365 rows)."""
    by_month: dict[tuple[int, int], dict] = defaultdict(dict)
    settled = ContractSettlement.objects.filter(year=year).values("contract_id")
    days = ContractGenerationDay.objects.filter(day__year=year, contract_id__in=settled)
    for generation in days:
        by_month[generation.contract_id, generation.day.month][generation.day] = (
            generation.hourly_kwh
        )
    return by_month


def _profile(kwh: Decimal, days: dict, year: int, month: int) -> tuple[Decimal, ...] | None:
    """The settled `kwh` spread over the month's hours in the shape of the generator's output,
    or None (the technology's standard shape) unless every day of the month is stored and the
    month generated something.

    The settled volume is the amount, the profile only the shape: hour h gets kwh × its share
    of the month's generation, rounded down to the millionth at the running total, so no hour
    is off by more than a millionth and the hours add up to `kwh` exactly.
    """
    if len(days) != calendar.monthrange(year, month)[1]:
        return None
    # Stored to the Wh (3 decimals): whole Wh are exact integer weights.
    weights = [int(hour * 1000) for day in sorted(days) for hour in days[day]]
    total = sum(weights)
    if total == 0:
        return None
    units = int(kwh * MILLIONTHS_PER_KWH)
    upto = [units * running // total for running in accumulate(weights)]
    parts = [after - before for before, after in zip([0, *upto[:-1]], upto, strict=True)]
    return tuple(Decimal(part).scaleb(-6) for part in parts)


def _months(start, end) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
