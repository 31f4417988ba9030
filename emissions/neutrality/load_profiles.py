"""Standard hourly shapes for hourly-matched Scope 2 where no measured profile exists.

The draft GHG Protocol Scope 2 revision (public consultation Oct 2025 – Jan 2026) lets a company
approximate hours it has no data for with load profiles. Two kinds are needed here:

- **Consumption without interval meter data**: a flat load profile, the facility's grid kWh of
  the year spread evenly over every hour of it. It claims nothing about when the plant runs, so
  it neither flatters nor punishes the facility; interval data replace it as soon as they exist.
- **Supply with only a monthly volume** (a green-power contract's settled month, unbundled
  certificates): the month's kWh spread over its hours by the technology's generation shape.
  Solar follows the sun over Xingtai (below); every other technology (wind, hydro, biomass,
  nuclear, a supplier mix) is flat. Wind in Hebei does blow more at night, but we have no
  published hourly shape to cite, and flat is the shape that assumes nothing.

The solar shape, `SOLAR_WEIGHTS`: clear-sky sunshine on a horizontal surface at Xingtai
(37.07° N, 114.50° E) on each month's mean day (Klein 1977: 17 Jan, 16 Feb, 16 Mar, 15 Apr,
15 May, 11 Jun, 17 Jul, 16 Aug, 15 Sep, 15 Oct, 14 Nov, 10 Dec). For every minute the cosine of
the solar zenith angle, cos θz = sin φ sin δ + cos φ cos δ cos ω (0 below the horizon), with the
declination δ = 23.45° sin(360° (284 + n) / 365) (Cooper 1969) and the hour angle ω = 15° per
hour from solar noon. Clock time is China Standard Time (UTC+8, the 120° E meridian), so the
sun at Xingtai is 22 minutes behind the clock ((120 − 114.5) × 4 min); the equation of time
(±16 minutes over the year) is left out. Each clock hour's minutes are summed and the day
scaled to 1,000, rounded to whole numbers: the integers below (recomputed from these formulas
by tests/neutrality/test_hourly_scope2.py). Clouds and panel tilt are not modelled: the shape
says when the sun is up and how high, which is what hourly matching needs to know.

Every spread is exact: quantities are integers (millionths of a kWh) and `spread` rounds by the
running total, so the hours of a month add up to the month's volume to the last unit.
"""

import calendar
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from operator import sub

from django.utils.translation import gettext as _

HOURS_PER_DAY = 24

SOLAR_WEIGHTS = {
    1: (0, 0, 0, 0, 0, 0, 0, 7, 53, 98, 132, 152, 157, 148, 124, 87, 40, 2, 0, 0, 0, 0, 0, 0),
    2: (0, 0, 0, 0, 0, 0, 0, 21, 63, 98, 125, 141, 145, 138, 118, 89, 52, 11, 0, 0, 0, 0, 0, 0),
    3: (0, 0, 0, 0, 0, 0, 5, 36, 68, 96, 117, 129, 133, 127, 112, 89, 60, 27, 1, 0, 0, 0, 0, 0),
    4: (0, 0, 0, 0, 0, 0, 17, 45, 71, 93, 109, 119, 122, 117, 106, 88, 64, 38, 10, 0, 0, 0, 0, 0),
    5: (0, 0, 0, 0, 0, 5, 27, 50, 72, 90, 104, 112, 114, 110, 100, 85, 66, 44, 20, 2, 0, 0, 0, 0),
    6: (0, 0, 0, 0, 0, 8, 30, 52, 71, 88, 101, 109, 111, 107, 98, 84, 66, 46, 24, 4, 0, 0, 0, 0),
    7: (0, 0, 0, 0, 0, 7, 29, 51, 72, 89, 102, 110, 112, 109, 99, 85, 66, 45, 22, 3, 0, 0, 0, 0),
    8: (0, 0, 0, 0, 0, 1, 22, 48, 71, 92, 107, 116, 119, 114, 103, 87, 65, 41, 15, 0, 0, 0, 0, 0),
    9: (0, 0, 0, 0, 0, 0, 9, 40, 70, 95, 114, 125, 128, 123, 109, 89, 62, 32, 4, 0, 0, 0, 0, 0),
    10: (0, 0, 0, 0, 0, 0, 0, 27, 65, 98, 122, 137, 141, 134, 116, 90, 55, 16, 0, 0, 0, 0, 0, 0),
    11: (0, 0, 0, 0, 0, 0, 0, 10, 56, 98, 130, 149, 154, 145, 122, 88, 44, 4, 0, 0, 0, 0, 0, 0),
    12: (0, 0, 0, 0, 0, 0, 0, 4, 50, 98, 134, 156, 161, 151, 125, 86, 35, 0, 0, 0, 0, 0, 0, 0),
}
FLAT_DAY = (1,) * HOURS_PER_DAY
SOLAR = "solar"


def hours_in_year(year: int) -> int:
    return (366 if calendar.isleap(year) else 365) * HOURS_PER_DAY


@lru_cache(maxsize=16)
def month_hours(year: int) -> tuple[tuple[int, int], ...]:
    """Each month's hours as [first, end) indexes into the year (hour 0 = 1 Jan, 00:00–01:00
    China Standard Time, which has no daylight saving time), January first."""
    bounds, start = [], 0
    for month in range(1, 13):
        end = start + calendar.monthrange(year, month)[1] * HOURS_PER_DAY
        bounds.append((start, end))
        start = end
    return tuple(bounds)


def day_shape(technology: str, month: int) -> tuple[int, ...]:
    """The generation weights of the 24 clock hours of a day in `month`."""
    return SOLAR_WEIGHTS[month] if technology == SOLAR else FLAT_DAY


def spread(units: int, weights: Sequence[int]) -> list[int]:
    """`units` split over the weights in proportion, each part rounded down at the running
    total: no part is off by a whole unit and the parts add up to `units` exactly."""
    total = sum(weights)
    if total <= 0:
        raise ValueError(_("A profile needs at least one hour with a weight above zero."))
    upto = [units * running // total for running in accumulate(weights)]
    return list(map(sub, upto, [0, *upto[:-1]]))


def generation_in_month(units: int, technology: str, year: int, month: int) -> list[int]:
    """A month's generation spread over its hours by the technology's day shape."""
    start, end = month_hours(year)[month - 1]
    days = (end - start) // HOURS_PER_DAY
    return spread(units, day_shape(technology, month) * days)


def flat_over_year(units: int, year: int) -> list[int]:
    """A year's consumption spread evenly over its hours (the flat load profile)."""
    return spread(units, FLAT_DAY * (hours_in_year(year) // HOURS_PER_DAY))
