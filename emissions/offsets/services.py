"""Writes for credits, certificates and allowances.

Each service checks its rules under a lock and saves, all in one transaction; or it raises
ValidationError (keyed by the field to correct, NON_FIELD_ERRORS when no one field is at
fault) with a message naming the conflict, and writes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emissions.facilities.models import Facility

from . import selectors
from .models import (
    AllowanceTransaction,
    AllowanceTransactionKind,
    CertificateScheme,
    CreditBatch,
    CreditProject,
    EnergyCertificate,
    Retirement,
    RetirementPurpose,
    RetirementReversal,
)


def _number(value: Decimal) -> str:
    """A quantity as people write it: 100.000 → "100", 12.500 → "12.5"."""
    return f"{Decimal(value).normalize():f}"


def _invalid(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _require_positive(field: str, value, unit: str) -> None:
    # The database's check constraint says the same, in words only a developer reads.
    if value is not None and value <= 0:
        raise _invalid(
            field,
            _("The quantity must be more than 0 %(unit)s."),
            "not_positive",
            unit=unit,
        )


def _take_turns(key: str) -> None:
    """Wait for other transactions that check the same rule under `key` (PostgreSQL).

    SELECT … FOR UPDATE locks rows that exist, not the gap a concurrent insert fills, so two
    overlapping inserts could both find no conflict; a transaction-scoped advisory lock makes
    them take turns. SQLite lets one writer at a time in any case.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _serial_count(serial_first: int, serial_last: int) -> int:
    return serial_last - serial_first + 1


# Carbon credits


def add_credit_batch(
    *,
    project: CreditProject,
    vintage_year: int,
    quantity_t: Decimal,
    serial_first: int,
    serial_last: int,
    purchased_on: dt.date,
    price_per_t: Decimal | None = None,
    currency: str = "CNY",
) -> CreditBatch:
    """Record a batch of credits bought: its serials must be new to the project's registry."""
    batch = CreditBatch(
        project=project,
        vintage_year=vintage_year,
        quantity_t=quantity_t,
        serial_first=serial_first,
        serial_last=serial_last,
        purchased_on=purchased_on,
        price_per_t=price_per_t,
        currency=currency,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        batch.full_clean()
        this_year = timezone.localdate().year
        if vintage_year > this_year:
            raise _invalid(
                "vintage_year",
                _("Vintage %(vintage)s lies in the future (the current year is %(year)s)."),
                "future_vintage",
                vintage=vintage_year,
                year=this_year,
            )
        quantity_t = batch.quantity_t  # a Decimal, whatever number was passed
        count = _serial_count(serial_first, serial_last)
        if quantity_t != quantity_t.to_integral_value():
            raise _invalid(
                "quantity_t",
                _(
                    "Credits come in whole tonnes (one serial number is one tCO2e); "
                    "%(quantity)s tCO2e is not a whole number."
                ),
                "fractional_credits",
                quantity=_number(quantity_t),
            )
        if count != quantity_t:
            raise _invalid(
                "quantity_t",
                _(
                    "Serial numbers %(first)s–%(last)s are %(count)s credits, not %(quantity)s: "
                    "one serial number is one tCO2e."
                ),
                "serial_count",
                first=serial_first,
                last=serial_last,
                count=count,
                quantity=_number(quantity_t),
            )
        _take_turns(f"offsets.credit_serials.{project.standard}")
        registry_batches = CreditBatch.objects.select_for_update(of=("self",)).filter(
            project__standard=project.standard
        )
        conflict = (
            registry_batches.filter(serial_first__lte=serial_last, serial_last__gte=serial_first)
            .select_related("project")
            .order_by("serial_first")
            .first()
        )
        if conflict is not None:
            raise _invalid(
                NON_FIELD_ERRORS,
                _(
                    "Serial numbers %(first)s–%(last)s overlap batch %(batch)s on the same "
                    "registry, %(registry)s."
                ),
                "serials_overlap",
                first=serial_first,
                last=serial_last,
                batch=conflict,
                registry=project.get_standard_display(),
            )
        batch.save()
    return batch


def retire_credits(
    *,
    batch: CreditBatch,
    quantity_t: Decimal,
    retired_on: dt.date,
    claimed_year: int,
    registry_reference: str,
    purpose: str = RetirementPurpose.NEUTRALITY,
    beneficiary_statement: str = "",
) -> Retirement:
    """Record credits retired from a batch for a reporting year; never more than it holds."""
    retirement = Retirement(
        batch=batch,
        quantity_t=quantity_t,
        retired_on=retired_on,
        claimed_year=claimed_year,
        purpose=purpose,
        registry_reference=registry_reference,
        beneficiary_statement=beneficiary_statement,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        retirement.full_clean()
        # The batch row is the lock: retirements from one batch take turns, and each one
        # counts what the previous ones left.
        batch = (
            CreditBatch.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=batch.pk)
        )
        quantity_t, retired_on = retirement.quantity_t, retirement.retired_on
        if retired_on < batch.purchased_on:
            raise _invalid(
                "retired_on",
                _(
                    "Credits cannot be retired on %(date)s, before batch %(batch)s was bought "
                    "on %(purchased)s."
                ),
                "retired_before_purchase",
                date=retired_on.isoformat(),
                batch=batch,
                purchased=batch.purchased_on.isoformat(),
            )
        held = selectors.batch_remaining_t(batch.pk)
        if quantity_t > held:
            raise _invalid(
                "quantity_t",
                _("Batch %(batch)s holds only %(held)s tCO2e; cannot retire %(requested)s."),
                "over_retirement",
                batch=batch,
                held=_number(held),
                requested=_number(quantity_t),
            )
        retirement.batch = batch
        retirement.save()
    return retirement


def reverse_retirement(
    *, retirement: Retirement, quantity_t: Decimal, reversed_on: dt.date, reason: str
) -> RetirementReversal:
    """Undo (part of) a retirement as its own entry; the retirement itself is never edited."""
    reversal = RetirementReversal(
        retirement=retirement, quantity_t=quantity_t, reversed_on=reversed_on, reason=reason
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        if not (reason or "").strip():
            raise _invalid("reason", _("Say why the retirement is reversed."), "no_reason")
        reversal.full_clean()
        # The retirement row is the lock: reversals of one retirement take turns.
        retirement = (
            Retirement.objects.select_for_update(of=("self",))
            .select_related("batch__project")
            .get(pk=retirement.pk)
        )
        quantity_t, reversed_on = reversal.quantity_t, reversal.reversed_on
        if reversed_on < retirement.retired_on:
            raise _invalid(
                "reversed_on",
                _(
                    "A reversal cannot predate its retirement: retired on %(retired)s, "
                    "reversal dated %(date)s."
                ),
                "reversed_before_retired",
                retired=retirement.retired_on.isoformat(),
                date=reversed_on.isoformat(),
            )
        already = selectors.retirement_reversed_t(retirement.pk)
        reversible = retirement.quantity_t - already
        if quantity_t > reversible:
            raise _invalid(
                "quantity_t",
                _(
                    "Only %(reversible)s tCO2e of the retirement “%(retirement)s” can still be "
                    "reversed (%(reversed)s reversed already); cannot reverse %(requested)s."
                ),
                "over_reversal",
                reversible=_number(reversible),
                retirement=retirement,
                reversed=_number(already),
                requested=_number(quantity_t),
            )
        reversal.retirement = retirement
        reversal.save()
    return reversal


# Energy attribute certificates


def add_energy_certificates(
    *,
    scheme: str,
    registry: str,
    technology: str,
    serial_first: int,
    serial_last: int,
    generation_start: dt.date,
    generation_end: dt.date,
    mwh: Decimal,
    facility: Facility | None,
    reporting_year: int,
    kg_co2e_per_kwh: Decimal = Decimal(0),
    market_country: str = "CN",
) -> EnergyCertificate:
    """Apply certificates to a facility's (None: the organisation's) grid electricity in a year.

    Serials are new to their registry, the electricity was generated close to the reporting
    year, the certificates come from the market where it was consumed (a facility's country;
    China for GECs), and no more MWh are covered than were consumed from the grid there.
    """
    certificate = EnergyCertificate(
        scheme=scheme,
        registry=(registry or "").strip(),
        technology=technology,
        serial_first=serial_first,
        serial_last=serial_last,
        generation_start=generation_start,
        generation_end=generation_end,
        mwh=mwh,
        facility=facility,
        reporting_year=reporting_year,
        kg_co2e_per_kwh=kg_co2e_per_kwh,
        market_country=market_country,
    )
    with transaction.atomic():
        _require_positive("mwh", mwh, "MWh")
        if generation_start and generation_end and generation_end < generation_start:
            # The database's check constraint says the same, in words only a developer reads.
            raise _invalid(
                "generation_end",
                _("The generation period cannot end before it starts."),
                "generation_period_reversed",
            )
        certificate.full_clean()
        _check_generation_period(certificate)
        _check_market(certificate)
        mwh = certificate.mwh
        count = _serial_count(serial_first, serial_last)
        if scheme == CertificateScheme.GEC and count != mwh:
            raise _invalid(
                "mwh",
                _(
                    "Serial numbers %(first)s–%(last)s are %(count)s GECs, not %(mwh)s MWh: "
                    "one GEC is one MWh."
                ),
                "serial_count",
                first=serial_first,
                last=serial_last,
                count=count,
                mwh=_number(mwh),
            )
        # One lock for all certificate writes: both the registry's serials and the year's
        # MWh are checked against rows a concurrent insert could add.
        _take_turns("offsets.energy_certificates")
        conflict = (
            EnergyCertificate.objects.select_for_update()
            .filter(registry__iexact=certificate.registry)
            .filter(serial_first__lte=serial_last, serial_last__gte=serial_first)
            .order_by("serial_first")
            .first()
        )
        if conflict is not None:
            raise _invalid(
                NON_FIELD_ERRORS,
                _(
                    "Serial numbers %(first)s–%(last)s overlap certificate %(certificate)s of "
                    "the same registry (applied to %(year)s)."
                ),
                "serials_overlap",
                first=serial_first,
                last=serial_last,
                certificate=conflict,
                year=conflict.reporting_year,
            )
        _check_allocation(certificate)
        certificate.save()
    return certificate


def _check_generation_period(certificate: EnergyCertificate) -> None:
    # GHG Protocol Scope 2 Quality Criteria: the certificates' vintage lies close to the
    # period they cover; here, the reporting year or the year before it.
    year = certificate.reporting_year
    latest_end = dt.date(year, 12, 31)
    earliest_start = dt.date(year - 1, 1, 1)
    if certificate.generation_end > latest_end:
        raise _invalid(
            "generation_end",
            _(
                "Electricity generated until %(end)s cannot cover %(year)s: the generation "
                "period must end by %(latest)s."
            ),
            "generated_after_year",
            end=certificate.generation_end.isoformat(),
            year=year,
            latest=latest_end.isoformat(),
        )
    if certificate.generation_start < earliest_start:
        raise _invalid(
            "generation_start",
            _(
                "Electricity generated from %(start)s is too old for %(year)s: the generation "
                "period must start on or after %(earliest)s (the reporting year or the year "
                "before)."
            ),
            "generated_too_early",
            start=certificate.generation_start.isoformat(),
            year=year,
            earliest=earliest_start.isoformat(),
        )


def _check_market(certificate: EnergyCertificate) -> None:
    # GHG Protocol Scope 2 Quality Criteria: certificates come from the same market as the
    # electricity they cover; a market is a country here.
    market = certificate.market_country
    if certificate.scheme == CertificateScheme.GEC and market != "CN":
        raise _invalid(
            "market_country",
            _(
                "GECs are issued for electricity consumed in China: their market must be CN, "
                "not %(market)s."
            ),
            "gec_outside_china",
            market=market,
        )
    facility = certificate.facility
    if facility is not None and market != facility.country:
        raise _invalid(
            "market_country",
            _(
                "Certificates of the %(market)s market cannot cover %(facility)s, which is in "
                "the %(country)s market: a facility's certificates must come from its own "
                "market."
            ),
            "wrong_market",
            market=market,
            facility=facility,
            country=facility.country,
        )


def _check_allocation(certificate: EnergyCertificate) -> None:
    """No facility, and not the certificates' market as a whole, covers more MWh than it
    consumed."""
    year, requested = certificate.reporting_year, certificate.mwh
    if certificate.facility_id is not None:
        covers = selectors.certificates_mwh_by_facility_year(years=[year])
        consumed = selectors.grid_electricity_mwh(year=year, facility_id=certificate.facility_id)
        cover = covers.get((certificate.facility_id, year))
        applied = cover.mwh if cover else selectors.ZERO
        if applied + requested > consumed:
            raise _invalid(
                "mwh",
                _(
                    "Certificates applied to %(facility)s in %(year)s would exceed its grid "
                    "electricity: %(consumed)s MWh consumed, %(applied)s MWh already applied, "
                    "%(requested)s MWh requested."
                ),
                "over_allocation",
                facility=certificate.facility,
                year=year,
                consumed=_number(consumed),
                applied=_number(applied),
                requested=_number(requested),
            )
    # Organisation-wide certificates of a market, and the own certificates of the facilities in
    # it, share the grid electricity of that market's facilities.
    market = certificate.market_country
    consumed = selectors.grid_electricity_mwh(year=year, country=market)
    applied = selectors.certificates_mwh_in_market(year=year, country=market)
    if applied + requested > consumed:
        raise _invalid(
            "mwh",
            _(
                "Certificates applied to the %(market)s market in %(year)s would exceed the "
                "grid electricity of the organisation's facilities there: %(consumed)s MWh "
                "consumed, %(applied)s MWh already applied, %(requested)s MWh requested."
            ),
            "over_allocation",
            market=market,
            year=year,
            consumed=_number(consumed),
            applied=_number(applied),
            requested=_number(requested),
        )


# ETS allowances


def record_allowance_transaction(
    *,
    facility: Facility,
    compliance_year: int,
    kind: str,
    quantity_t: Decimal,
    transacted_on: dt.date,
    price_per_t: Decimal | None = None,
    reference: str = "",
) -> AllowanceTransaction:
    """Record allowances allocated, bought, sold or surrendered; never more out than held."""
    allowance_transaction = AllowanceTransaction(
        facility=facility,
        compliance_year=compliance_year,
        kind=kind,
        quantity_t=quantity_t,
        transacted_on=transacted_on,
        price_per_t=price_per_t,
        reference=reference,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2")
        allowance_transaction.full_clean()
        outgoing = {
            AllowanceTransactionKind.SALE: _(
                "%(facility)s holds only %(held)s tCO2 of allowances for %(year)s; "
                "cannot sell %(requested)s."
            ),
            AllowanceTransactionKind.SURRENDER: _(
                "%(facility)s holds only %(held)s tCO2 of allowances for %(year)s; "
                "cannot surrender %(requested)s."
            ),
        }
        quantity_t = allowance_transaction.quantity_t
        if kind in outgoing:
            # The facility row is the lock: what leaves its account is counted in turn.
            facility = Facility.objects.select_for_update().get(pk=facility.pk)
            held = selectors.allowances_held_t(facility_id=facility.pk, year=compliance_year)
            if quantity_t > held:
                raise _invalid(
                    "quantity_t",
                    outgoing[kind],
                    "over_surrender" if kind == AllowanceTransactionKind.SURRENDER else "oversold",
                    facility=facility,
                    held=_number(held),
                    year=compliance_year,
                    requested=_number(quantity_t),
                )
        allowance_transaction.save()
    return allowance_transaction
