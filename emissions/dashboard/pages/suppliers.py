"""The suppliers page: where each supplier's data request stands, what share of Scope 3 it
carries, the year's Scope 3 by kind of data, and whom to ask next.

Tonnes come from the inventory read model (scope3_quality, scope3_by_supplier); this module
only shapes them. Four queries, whatever the number of suppliers.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emissions.neutrality import inventory
from emissions.neutrality.inventory import Scope3Quality, SupplierScope3, percent
from emissions.suppliers.models import DataRequest, RequestStatus, Supplier

ZERO = Decimal(0)

STATE_LABELS = {
    "not_asked": _("Not asked"),
    "requested": _("Requested"),
    "opened": _("Opened"),
    "submitted": _("Submitted, to review"),
    "returned": _("Asked again"),
    "accepted": _("Accepted"),
    "overdue": _("Overdue"),
    "revoked": _("Revoked"),
}


def request_state(request: DataRequest | None, now=None) -> str:
    """One word for where a request stands, as the tracking table shows it."""
    if request is None:
        return "not_asked"
    if request.is_overdue(now):
        return "overdue"
    if request.status == RequestStatus.SENT:
        return "opened" if request.opened_at else "requested"
    return str(request.status)


@dataclass(frozen=True)
class SupplierRow:
    supplier: Supplier
    request: DataRequest | None
    state: str
    scope3: SupplierScope3 | None
    share_pct: Decimal | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def kg(self) -> Decimal:
        return self.scope3.kg if self.scope3 else ZERO

    @property
    def spend_kg(self) -> Decimal:
        return self.scope3.spend_kg if self.scope3 else ZERO


@dataclass(frozen=True)
class SuppliersPage:
    year: int
    quality: Scope3Quality
    rows: list[SupplierRow]

    @property
    def ask_next(self) -> list[SupplierRow]:
        """Suppliers whose purchases are priced by spend, the most tonnes first: their own
        data would improve the figure most. Those with an open request are left out."""
        waiting = {"requested", "opened", "submitted", "returned"}
        rows = [row for row in self.rows if row.spend_kg > 0 and row.state not in waiting]
        return sorted(rows, key=lambda row: (-row.spend_kg, str(row.supplier)))

    @property
    def accepted_count(self) -> int:
        return sum(row.state == "accepted" for row in self.rows)

    @property
    def waiting_count(self) -> int:
        return sum(
            row.state in {"requested", "opened", "submitted", "returned"} for row in self.rows
        )

    @property
    def overdue_count(self) -> int:
        return sum(row.state == "overdue" for row in self.rows)


def build_suppliers_page(year: int) -> SuppliersPage:
    quality = inventory.scope3_quality(year, approved_only=False)
    by_supplier = inventory.scope3_by_supplier(year, approved_only=False)
    latest: dict[int, DataRequest] = {}
    for request in DataRequest.objects.filter(year=year).order_by("supplier", "-created_at"):
        latest.setdefault(request.supplier_id, request)
    now = timezone.now()
    rows = [
        SupplierRow(
            supplier=supplier,
            request=latest.get(supplier.pk),
            state=request_state(latest.get(supplier.pk), now),
            scope3=by_supplier.get(supplier.pk),
            share_pct=percent(by_supplier[supplier.pk].kg, quality.kg)
            if supplier.pk in by_supplier
            else None,
        )
        for supplier in Supplier.objects.all()
    ]
    rows.sort(key=lambda row: (-row.kg, str(row.supplier)))
    return SuppliersPage(year=year, quality=quality, rows=rows)
