"""How far one year is from neutral, and what could still close the gap.

Built only from what the domain already provides: the year's balance (the inventory, on both
approval bases), the credits batches still hold (the offsets selectors) and the claim rules
(claims.retirement_deadline, claims.vintage_too_new). Emissions are kg, credits tCO2e, all
Decimals; nothing here sums a retirement.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from emissions.facilities.names import in_page_language
from emissions.offsets.models import CreditBatch, CreditKind, batch_name
from emissions.offsets.selectors import with_holdings

from .claims import retirement_deadline, vintage_too_new
from .inventory import KG_PER_TONNE, BothBases, YearBalance, both_bases

ZERO = Decimal(0)
# Removals first: ISO 14068-1 expects their share of the credits to grow.
KIND_ORDER = (CreditKind.REMOVAL, CreditKind.AVOIDANCE)


@dataclass(frozen=True)
class GapBasis:
    """The year's balance on one approval basis: kg as the balance has them."""

    approved_only: bool
    gross_kg: Decimal
    credits_kg: Decimal
    net_kg: Decimal
    is_neutral: bool

    @classmethod
    def of(cls, balance: YearBalance, *, approved_only: bool) -> "GapBasis":
        return cls(
            approved_only=approved_only,
            gross_kg=balance.gross_kg,
            credits_kg=balance.credits_kg,
            net_kg=balance.net_kg,
            is_neutral=balance.is_neutral,
        )

    @property
    def short_t(self) -> Decimal:
        """tCO2e still to cover before the year is neutral; 0 when it is."""
        return self.net_kg / KG_PER_TONNE if self.net_kg > 0 else ZERO

    @property
    def surplus_t(self) -> Decimal:
        """tCO2e retired beyond the year's net emissions; 0 when there are none."""
        return -self.net_kg / KG_PER_TONNE if self.net_kg < 0 else ZERO


@dataclass(frozen=True)
class BatchCredits:
    """A batch that still holds credits (tCO2e), and whether they could count for the year."""

    batch_id: int
    project_name: str
    registry_project_id: str
    vintage_year: int
    serial_first: int
    serial_last: int
    issued_t: Decimal
    retired_t: Decimal  # net of reversals
    remaining_t: Decimal
    # False when the vintage rule (claims.vintage_too_new) excludes the batch for the year.
    counts_for_year: bool

    @property
    def name(self) -> str:
        return batch_name(
            self.registry_project_id, self.vintage_year, self.serial_first, self.serial_last
        )


@dataclass(frozen=True)
class KindCredits:
    """The batches of one kind of credit (removal or avoidance) that still hold credits."""

    kind: str
    batches: tuple[BatchCredits, ...]

    @property
    def label(self) -> str:
        return CreditKind(self.kind).label

    @property
    def available_t(self) -> Decimal:
        """tCO2e that could still be retired for the year."""
        return sum((b.remaining_t for b in self.batches if b.counts_for_year), ZERO)

    @property
    def excluded_t(self) -> Decimal:
        """tCO2e held whose vintage is later than the year."""
        return sum((b.remaining_t for b in self.batches if not b.counts_for_year), ZERO)


@dataclass(frozen=True)
class NeutralityGap:
    year: int
    # None when the year has no records on that basis (e.g. none approved yet).
    approved: GapBasis | None
    with_pending: GapBasis | None
    credits: tuple[KindCredits, ...]  # removals first, then avoidance
    deadline: dt.date  # the last day a retirement still counts for the year
    deadline_passed: bool

    @property
    def available_t(self) -> Decimal:
        return sum((kind.available_t for kind in self.credits), ZERO)

    @property
    def offered(self) -> list[BatchCredits]:
        """The batches whose credits could still count for the year, removals first."""
        return [b for kind in self.credits for b in kind.batches if b.counts_for_year]

    @property
    def excluded(self) -> list[BatchCredits]:
        """The batches holding credits the vintage rule keeps out of the year."""
        return [b for kind in self.credits for b in kind.batches if not b.counts_for_year]


def neutrality_gap(
    year: int, *, today: dt.date | None = None, both: BothBases | None = None
) -> NeutralityGap | None:
    """The year's gap to neutrality on both bases and the credits that could close it.

    None when the year has no balance on either basis (no organisation, no activity data).
    Pass both bases (inventory.both_bases) when the page has them already.
    """
    today = today or timezone.localdate()
    both = both or both_bases(year)
    bases = {
        approved_only: None
        if balance is None
        else GapBasis.of(balance, approved_only=approved_only)
        for approved_only, balance in ((True, both.approved), (False, both.with_pending))
    }
    if bases[True] is None and bases[False] is None:
        return None
    deadline = retirement_deadline(year)
    return NeutralityGap(
        year=year,
        approved=bases[True],
        with_pending=bases[False],
        credits=credits_held(year, today),
        deadline=deadline,
        deadline_passed=today > deadline,
    )


def credits_held(year: int, today: dt.date) -> tuple[KindCredits, ...]:
    """Every batch still holding credits, by kind (removals first), and whether each could
    count for `year` if retired `today`."""
    # One query: every batch still holding credits, with its holding (the offsets selector).
    held = (
        with_holdings(CreditBatch.objects.all())
        .filter(remaining_t__gt=0)
        .order_by("vintage_year", "project__registry_project_id", "serial_first")
        .values_list(
            "pk",
            "project__name",
            "project__name_zh",
            "project__registry_project_id",
            "project__kind",
            "vintage_year",
            "serial_first",
            "serial_last",
            "quantity_t",
            "net_retired_t",
            "remaining_t",
        )
    )
    by_kind = {kind: [] for kind in KIND_ORDER}
    for pk, name, name_zh, registry_id, kind, vintage, first, last, *amounts in held:
        issued, retired, remaining = amounts
        by_kind.setdefault(kind, []).append(
            BatchCredits(
                batch_id=pk,
                project_name=in_page_language(name, name_zh),
                registry_project_id=registry_id,
                vintage_year=vintage,
                serial_first=first,
                serial_last=last,
                issued_t=issued,
                retired_t=retired,
                remaining_t=remaining,
                # Retired today, for `year`.
                counts_for_year=not vintage_too_new(vintage, claimed_year=year, retired_on=today),
            )
        )
    return tuple(KindCredits(kind=kind, batches=tuple(rows)) for kind, rows in by_kind.items())
