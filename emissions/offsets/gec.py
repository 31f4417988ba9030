"""China's green electricity certificates (GEC, 绿证) read from their 32-character codes.

The structure (易碳家 / 中国碳交易网, "绿证编码有何具体含义", 2025-03-26, on the codes of the
national GEC issuing and trading system): the first 17 characters are the generating project's
filing code (建档立卡编码: project type, energy type, technology type, approval or filing time,
address, sequence and check code); the last 15 describe the electricity: production date, the
certificate's sequence number, electricity class and trading class, in that order.

The source gives the order of the last 15 characters, not their widths. They are read here as
production year and month (YYYYMM, 6), sequence (7), electricity class (1) and trading class (1):
a reading that holds a year-month date and a sequence for up to 9,999,999 MWh of a project's
month; docs/methodology.md says it is our reading. The project code is kept whole: its parts'
widths are not published, so they are not guessed.

Validity (NEA, 可再生能源绿色电力证书核发和交易规则, 2024): a GEC is valid for two years counted
from its production month, that month included. One GEC is 1 MWh (NDRC/NEA Doc. 1044, 2023).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

CODE_LENGTH = 32
PROJECT_CODE_LENGTH = 17
VALID_MONTHS = 24
# The most certificates one range may hold: 1 TWh, beyond any one project's month of output.
MAX_RANGE = 1_000_000

_CODE = re.compile(
    r"^(?P<project>[0-9A-Z]{17})(?P<year>\d{4})(?P<month>\d{2})(?P<sequence>\d{7})"
    r"(?P<electricity_class>[0-9A-Z])(?P<trading_class>[0-9A-Z])$"
)


class GecCodeError(ValueError):
    """A code (or a range of codes) that cannot be a GEC's; the message says why."""


@dataclass(frozen=True)
class GecCode:
    code: str
    project_code: str
    production_year: int
    production_month: int
    sequence: int
    electricity_class: str
    trading_class: str

    @property
    def produced_from(self) -> dt.date:
        return dt.date(self.production_year, self.production_month, 1)

    @property
    def produced_until(self) -> dt.date:
        return _month_end(self.production_year, self.production_month)

    @property
    def valid_until(self) -> dt.date:
        """The last day of the 24th month, the production month being the first."""
        months = self.production_year * 12 + self.production_month - 1 + VALID_MONTHS - 1
        return _month_end(months // 12, months % 12 + 1)

    def usable_in(self, year: int) -> bool:
        """Whether consumption in `year` can fall inside the validity window."""
        return self.produced_from <= dt.date(year, 12, 31) and self.valid_until >= dt.date(
            year, 1, 1
        )

    def with_sequence(self, sequence: int) -> str:
        return f"{self.code[:23]}{sequence:07d}{self.code[30:]}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def normalise(text: str) -> str:
    # People paste codes with spaces, dashes or in lower case from PDFs and spreadsheets.
    return re.sub(r"[\s\-]", "", text or "").upper()


def parse(text: str) -> GecCode:
    code = normalise(text)
    if len(code) != CODE_LENGTH:
        raise GecCodeError(
            _("A GEC code has 32 characters; %(code)s has %(length)s.")
            % {"code": code or '""', "length": len(code)}
        )
    match = _CODE.match(code)
    if match is None:
        raise GecCodeError(
            _(
                "%(code)s is not a GEC code: 17 letters or digits (the project's filing code), "
                "then the production year and month (6 digits), the sequence number (7 digits), "
                "the electricity class and the trading class."
            )
            % {"code": code}
        )
    year, month = int(match["year"]), int(match["month"])
    if not (1 <= month <= 12 and 2017 <= year <= 2100):
        # China's first GECs were issued in 2017.
        raise GecCodeError(
            _("%(code)s has production month %(year)s-%(month)s, which is not a valid month.")
            % {"code": code, "year": match["year"], "month": match["month"]}
        )
    return GecCode(
        code=code,
        project_code=match["project"],
        production_year=year,
        production_month=month,
        sequence=int(match["sequence"]),
        electricity_class=match["electricity_class"],
        trading_class=match["trading_class"],
    )


@dataclass(frozen=True)
class GecRange:
    first: GecCode
    last: GecCode

    @property
    def count(self) -> int:
        return self.last.sequence - self.first.sequence + 1

    def codes(self):
        """Every code of the range, in order."""
        for sequence in range(self.first.sequence, self.last.sequence + 1):
            yield self.first.with_sequence(sequence)


def parse_range(first_text: str, last_text: str) -> GecRange:
    """First–last of one block: one project, production month and class; ascending."""
    first, last = parse(first_text), parse(last_text)
    if first.code[:23] != last.code[:23] or first.code[30:] != last.code[30:]:
        raise GecCodeError(
            _(
                "%(first)s and %(last)s are not one range: a range's codes differ only in the "
                "sequence number (characters 24–30); the project, production month and classes "
                "must be the same."
            )
            % {"first": first.code, "last": last.code}
        )
    if last.sequence < first.sequence:
        raise GecCodeError(
            _("The last code %(last)s precedes the first %(first)s.")
            % {"first": first.code, "last": last.code}
        )
    block = GecRange(first, last)
    if block.count > MAX_RANGE:
        raise GecCodeError(
            _("%(count)s certificates in one range: enter at most %(max)s at a time.")
            % {"count": f"{block.count:,}", "max": f"{MAX_RANGE:,}"}
        )
    return block
