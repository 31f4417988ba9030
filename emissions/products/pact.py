"""A product's footprint of a year as a PACT ProductFootprint (Pathfinder Technical
Specifications for PCF Data Exchange, version 2.3), for a customer's system to read.

This module implements the data model described by the PACT Technical Specifications (© World
Business Council for Sustainable Development); it is a work derived from them. WBCSD's licence
asks every such work to reproduce its Section 5 (docs/research/pact/NOTICE.md does, and says which
parts this is).

What is given, and how (docs/methodology.md, "PACT export"):
- PACT 2.x has no tonne and no piece: the declared unit is the kilogram, and
  unitaryProductAmount is the kilograms in one of the product's own declared units (1,000 for a
  tonne, the mass of a piece).
- pCfExcludingBiogenic = fossilGhgEmissions = the footprint per kilogram; nothing biogenic is
  accounted (pCfIncludingBiogenic is the same). The carbon content of the product is not
  determined: given as 0 and said so in `comment`.
- primaryDataShare: the part of the footprint not from default values, %.
- Decimals are strings in plain notation ("2.70221"), never floats or exponents.
"""

import datetime as dt
import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from django.conf import settings

from emissions.facilities.models import Organisation

from .attribution import ProductYear

SPEC_VERSION = "2.3.0"
PLACES = Decimal("0.000001")
CHARACTERIZATION = {"AR5", "AR6"}  # the 2.x enum; AR4 is not accepted by PACT


class PactError(ValueError):
    """Why this footprint cannot be given as PACT data (the message names what to fix)."""


def decimal_text(value: Decimal) -> str:
    """A PACT decimal: plain dotted notation, no exponent, no trailing zeros."""
    text = format(value.quantize(PLACES, rounding=ROUND_HALF_UP), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def footprint_id(organisation: Organisation, product_code: str, year: int) -> str:
    """A version-4-shaped UUID that stays the same for the same product and year, so that a
    footprint sent again is recognised as the same one (PACT's `id`)."""
    digest = hashlib.sha256(f"{organisation.pk}:{product_code}:{year}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def product_footprint(
    footprint: ProductYear, *, organisation: Organisation, created: dt.datetime
) -> dict:
    """The ProductFootprint of `footprint` (one product, one year); PactError if it cannot be."""
    product = footprint.product
    if organisation.gwp_basis not in CHARACTERIZATION:
        raise PactError(
            f"PACT accepts AR5 or AR6 characterisation factors; the organisation uses "
            f"{organisation.gwp_basis}."
        )
    if not product.cpc_code:
        raise PactError(f"Give {product.code} its UN CPC code (admin, product): PACT needs it.")
    kg_per_unit = product.kg_per_unit
    if kg_per_unit is None:
        raise PactError(f"Give the mass of one piece of {product.code}: PACT counts per kilogram.")
    quantity_kg = footprint.quantity * kg_per_unit
    per_kg = footprint.total_kg / quantity_kg
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    year = footprint.year
    primary = footprint.primary_data_share_pct
    return {
        "id": footprint_id(organisation, product.code, year),
        "specVersion": SPEC_VERSION,
        "version": 1,
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "Active",
        "companyName": organisation.name_en,
        "companyIds": [f"urn:pact:{host}:company-id:{organisation.pk}"],
        "productDescription": " · ".join(n for n in (product.name_zh, product.name_en) if n),
        "productIds": [f"urn:pact:{host}:product-id:{product.code}"],
        "productCategoryCpc": product.cpc_code,
        "productNameCompany": product.name_en,
        "comment": (
            "Cradle-to-gate footprint from the producing facilities' approved inventory "
            "(Scope 1 and location-based Scope 2, allocated by the process's basis) plus "
            "precursors. Fossil and biogenic carbon content not determined (given as 0)."
        ),
        "pcf": {
            "declaredUnit": "kilogram",
            "unitaryProductAmount": decimal_text(kg_per_unit),
            "productMassPerDeclaredUnit": "1",
            "pCfExcludingBiogenic": decimal_text(per_kg),
            "pCfIncludingBiogenic": decimal_text(per_kg),
            "fossilGhgEmissions": decimal_text(per_kg),
            "fossilCarbonContent": "0",
            "biogenicCarbonContent": "0",
            "dLucGhgEmissions": "0",
            "landManagementGhgEmissions": "0",
            "otherBiogenicGhgEmissions": "0",
            "biogenicCarbonWithdrawal": "0",
            "characterizationFactors": organisation.gwp_basis,
            "ipccCharacterizationFactorsSources": [organisation.gwp_basis],
            "crossSectoralStandardsUsed": ["ISO Standard 14067"],
            "crossSectoralStandards": ["ISO14067"],
            "boundaryProcessesDescription": (
                "Cradle to gate: precursors' embedded emissions; the producing facilities' "
                "direct emissions (fuels, process, refrigerants, on-site vehicles) and purchased "
                "electricity and heat at the grid average factor. Excluded: distribution, use, "
                "end of life, packaging, capital goods."
            ),
            "referencePeriodStart": f"{year}-01-01T00:00:00Z",
            "referencePeriodEnd": f"{year + 1}-01-01T00:00:00Z",
            "geographyCountry": "CN",
            "exemptedEmissionsPercent": 0,
            "exemptedEmissionsDescription": "",
            "packagingEmissionsIncluded": False,
            "allocationRulesDescription": (
                "Per ISO 14067: physical allocation (mass of output or machine hours) at each "
                "facility, economic value only where no physical relationship fits."
            ),
            "primaryDataShare": 100.0 if primary is None else float(primary),
        },
    }
