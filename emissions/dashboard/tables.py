"""The downloadable tables' shared pieces: how a page registers a table, and year headers.

Each page module (pages/) defines its tables next to its builder: each reads the object the
page's builder returned, so a download holds the page's numbers — unrounded: kg become tonnes
and kWh MWh by moving the decimal point (inventory.kg_to_t), never by dividing into a float.
The headers carry the units. A table is registered under the name its download URL uses; its
`per_year` says whether the page's year filter changes it (and so belongs in the file name).
"""

from collections.abc import Callable
from dataclasses import dataclass

from .spreadsheet import Table


def year_header(year: int | None, offset: int = 0) -> str:
    """A year for a header; "—" before there is any activity data."""
    return "—" if year is None else str(year + offset)


@dataclass(frozen=True)
class TableSpec:
    build: Callable[..., Table]
    per_year: bool = False
