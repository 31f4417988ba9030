"""Energy attribute certificates: serials, markets, generation period, allocation."""

import datetime as dt
import itertools
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility

from .. import gec, selectors
from ..models import (
    CertificateScheme,
    ClaimedGecCode,
    EnergyCertificate,
)
from ._rules import _invalid, _number, _require_positive, _serial_count, _take_turns
from .contracts import check_not_a_credit_project

# Energy attribute certificates


def add_energy_certificates(
    *,
    scheme: str,
    registry: str,
    technology: str,
    serial_first: int | None = None,
    serial_last: int | None = None,
    generation_start: dt.date | None = None,
    generation_end: dt.date | None = None,
    mwh: Decimal,
    facility: Facility | None,
    reporting_year: int,
    kg_co2e_per_kwh: Decimal = Decimal(0),
    market_country: str = "CN",
    gec_code_first: str = "",
    gec_code_last: str = "",
) -> EnergyCertificate:
    """Apply certificates to a facility's (None: the organisation's) grid electricity in a year.

    Serials are new to their registry, the electricity was generated close to the reporting
    year, the certificates come from the market where it was consumed (a facility's country;
    China for GECs), and no more MWh are covered than were consumed from the grid there.

    GECs are entered by the first and last of their 32-character codes instead of serials and
    a generation period: both are read from the codes (offsets/gec.py), the production month
    decides the years they may cover (their two-year validity), and every code is claimed once.
    """
    block = None
    if scheme == CertificateScheme.GEC:
        block = _gec_range(gec_code_first, gec_code_last)
        serial_first, serial_last = block.first.sequence, block.last.sequence
        generation_start, generation_end = block.first.produced_from, block.first.produced_until
        gec_code_first, gec_code_last = block.first.code, block.last.code
        registry = registry or GEC_REGISTRY
    elif gec_code_first or gec_code_last:
        raise _invalid(
            "gec_code_first",
            _("GEC codes belong to GECs: choose the GEC scheme or leave the codes empty."),
            "codes_without_gec",
        )
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
        gec_code_first=gec_code_first,
        gec_code_last=gec_code_last,
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
        if block is not None:
            _check_gec_validity(block, certificate.reporting_year)
            check_not_a_credit_project(block.first.project_code, field="gec_code_first")
        else:
            _check_generation_period(certificate)
        _check_market(certificate)
        mwh = certificate.mwh
        count = _serial_count(serial_first, serial_last)
        if block is not None and count != mwh:
            raise _invalid(
                "mwh",
                _(
                    "Codes %(first)s–%(last)s are %(count)s GECs, not %(mwh)s MWh: one GEC is "
                    "one MWh."
                ),
                "serial_count",
                first=block.first.code,
                last=block.last.code,
                count=count,
                mwh=_number(mwh),
            )
        # One lock for all certificate writes: both the registry's serials and the year's
        # MWh are checked against rows a concurrent insert could add.
        _take_turns("offsets.energy_certificates")
        if block is not None:
            _check_codes_unclaimed(block)
            _check_allocation(certificate)
            certificate.save()
            _claim_codes(certificate, block)
            return certificate
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


GEC_REGISTRY = "China GEC issuing and trading system (国家绿证核发交易系统)"
CLAIM_BATCH = 5_000


def _gec_range(first: str, last: str) -> gec.GecRange:
    for field, text in (("gec_code_first", first), ("gec_code_last", last)):
        if not (text or "").strip():
            raise _invalid(
                field,
                _("GECs are entered by their codes: give the first and the last code."),
                "gec_code_missing",
            )
        try:
            gec.parse(text)
        except gec.GecCodeError as error:
            raise _invalid(field, str(error), "gec_code_invalid") from None
    try:
        return gec.parse_range(first, last)
    except gec.GecCodeError as error:
        raise _invalid("gec_code_last", str(error), "gec_range_invalid") from None


def _check_gec_validity(block: gec.GecRange, year: int) -> None:
    # NEA rules (2024): valid for two years counted from the production month, that one included.
    code = block.first
    if not code.usable_in(year):
        raise _invalid(
            "reporting_year",
            _(
                "GECs produced in %(month)s are valid from %(start)s to %(end)s: they cannot "
                "cover consumption in %(year)s."
            ),
            "gec_outside_validity",
            month=code.produced_from.strftime("%Y-%m"),
            start=code.produced_from.isoformat(),
            end=code.valid_until.isoformat(),
            year=year,
        )


def _check_codes_unclaimed(block: gec.GecRange) -> None:
    # The codes of a range sort together (same first 23 and last 2 characters), so the ones
    # already claimed are one index range away.
    claimed = (
        ClaimedGecCode.objects.filter(code__gte=block.first.code, code__lte=block.last.code)
        .filter(code__endswith=block.first.code[30:])
        .select_related("certificate", "certificate__facility")
        .order_by("code")
        .first()
    )
    if claimed is not None:
        raise _already_claimed(claimed.code, claimed.certificate)


def _already_claimed(code: str, certificate: EnergyCertificate) -> ValidationError:
    return _invalid(
        NON_FIELD_ERRORS,
        _(
            "GEC %(gec)s is already claimed by %(certificate)s (applied to %(target)s for "
            "%(year)s): a certificate can be claimed once."
        ),
        "gec_code_claimed",
        gec=code,
        certificate=certificate,
        target=certificate.facility or _("the whole organisation"),
        year=certificate.reporting_year,
    )


def _claim_codes(certificate: EnergyCertificate, block: gec.GecRange) -> None:
    """One row per code. The unique index is the last word: a writer that got past the check
    above without the lock (another database client) still cannot claim a code twice."""
    codes = block.codes()
    try:
        with transaction.atomic():
            while batch := [
                ClaimedGecCode(code=code, certificate=certificate)
                for code in itertools.islice(codes, CLAIM_BATCH)
            ]:
                ClaimedGecCode.objects.bulk_create(batch)
    except IntegrityError:
        raise _invalid(
            NON_FIELD_ERRORS,
            _(
                "A GEC of %(first)s–%(last)s was claimed by another entry at the same moment; "
                "nothing was saved. Look at the certificates entered and try again."
            ),
            "gec_code_claimed",
            first=block.first.code,
            last=block.last.code,
        ) from None


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
