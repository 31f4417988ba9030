"""Energy attribute certificates: serials, markets, generation period, allocation."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility

from .. import selectors
from ..models import (
    CertificateScheme,
    EnergyCertificate,
)
from ._rules import _invalid, _number, _require_positive, _serial_count, _take_turns

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
        # A locked reporting year takes no more certificates (emissions/facilities/periods.py).
        periods.assert_open(certificate.reporting_year, field="reporting_year")
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
