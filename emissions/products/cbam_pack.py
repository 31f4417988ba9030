"""One installation's CBAM communication for a year, in the structure of the EU's
"CBAM Communication template for installations" (v2.1.1, 13 December 2024): the sheets an EU
importer reads, `Summary_Communication` and `Summary_Products`, named as the template names
them, with its labels where it puts them: the installation details in D12–D21 (values in E), the
products' header in row 25 (rows 26 on) of Summary_Communication and in row 8 (rows 10 on) of
Summary_Products, columns D to N.

Only what the inventory knows is filled; the qualifying parameters (scrap, alloys, clinker
factor…) are left empty, and the data-quality line says which figures are
estimated (precursors at default values). docs/research/cbam/communication_template.md lists
the template's labels and where they were read.
"""

import datetime as dt
import io

from openpyxl import Workbook

from emissions.facilities.models import Facility

from .cbam import CbamGood

TEMPLATE_VERSION = "2.1.1"
# Summary_Products / section 2 of Summary_Communication: columns D to O of the template.
PRODUCT_HEADER = [
    "Production process from which the products arise",
    "Type of aggregated good or precursor",
    "CN Codes",
    "CN Name",
    "Product name \n(used for communication with reporting declarant, e.g. on invoices)",
    "SEE (direct)",
    "SEE (indirect)",
    "SEE (total)",
    "Unit",
    "Share of emissions by default value",
    "Source for electricity EF",
]
AGGREGATED_GOOD = {
    "Iron and steel": "Iron or steel products",
    "Aluminium": "Aluminium products",
    "Cement": "Cement",
    "Fertilisers": "Mixed fertilisers",
    "Hydrogen": "Hydrogen",
}
FIRST_COLUMN = 4  # D
# D.4(a): the grid's average emission factor (the template's code list for the EF's source).
ELECTRICITY_EF_SOURCE = "D.4(a)"


# Summary_Products, the carbon price paid in the country of production: column → label (the
# template's AL to AZ; the unit columns beside them hold the units).
CARBON_PRICE_HEADER = {
    38: "Type of instrument (carbon pricing)",
    39: "Share of total embedded emissions covered by the carbon price",
    40: "Embedded emissions covered by the carbon price",
    42: "Currency",
    44: "Carbon price (CP) due (per produced t or MWh)",
    46: "Type of rebate",
    48: "Embedded emissions covered by rebate",
    50: "Amount of rebate (per produced t or MWh)",
    52: "Result: Effective CP due (per produced t or MWh)",
}


def _carbon_price_cells(good: CbamGood) -> dict[int, object]:
    if good.carbon_price_due is None:
        return {38: "None"}
    covered = good.ets_covered_t_per_t
    return {
        38: "National Emissions Trading System",
        39: float(min(covered / good.see_total, 1)) if good.see_total else None,
        40: float(covered),
        41: "tCO2e/t",
        42: "CNY",
        44: float(good.carbon_price_due),
        45: "CNY/t",
        46: "Free allocation",
        48: float(good.ets_free_t_per_t),
        49: "tCO2e/t",
        50: float(good.carbon_price_rebate),
        51: "CNY/t",
        52: float(good.carbon_price_effective),
        53: "CNY/t",
    }


def _product_row(good: CbamGood) -> list:
    return [
        good.process,
        AGGREGATED_GOOD.get(good.sector, good.sector),
        good.cn_code,
        good.default.description if good.default else "",
        good.product_name,
        float(good.see_direct),
        float(good.see_indirect),
        float(good.see_total),
        "tCO2e/t",
        float(good.default_share_pct or 0) / 100,
        ELECTRICITY_EF_SOURCE,
    ]


def _put(sheet, row: int, values: list, first_column: int = FIRST_COLUMN) -> None:
    for offset, value in enumerate(values):
        cell = sheet.cell(row=row, column=first_column + offset, value=value)
        if cell.data_type == "f":  # text people typed (a name, an address) is never a formula
            cell.data_type = "s"


def communication_workbook(facility: Facility, year: int, goods: list[CbamGood]) -> bytes:
    """The XLSX file: Summary_Communication (installation, totals, products) and
    Summary_Products."""
    workbook = Workbook()
    communication = workbook.active
    communication.title = "Summary_Communication"
    _put(communication, 2, [f"CBAM Communication template for installations (structure of "
                            f"version {TEMPLATE_VERSION}), written by Kehui Carbon"])  # fmt: skip
    _put(communication, 8, ["1. Summary of the installation and production processes"])
    details = [
        ("Name of the installation (English name):", facility.name_en),
        ("Street, Number:", facility.address),
        ("Economic activity:", ", ".join(sorted({g.process for g in goods}))),
        ("City:", ""),
        ("Country:", "China"),
        ("UNLOCODE:", ""),
        ("Coordinates of the main emission source (latitude):", ""),
        ("Coordinates of the main emission source (longitude):", ""),
        ("Reporting period start:", dt.date(year, 1, 1)),
        ("Reporting period end:", dt.date(year, 12, 31)),
    ]
    for index, (label, value) in enumerate(details):
        _put(communication, 12 + index, [label, value])
    estimated = [g.product_code for g in goods if g.is_estimated]
    quality = [
        ("General information on data quality:",
         "Direct and indirect emissions from the installation's approved inventory records; "
         "allocated to goods by the production process's allocation basis."),
        ("Justification for use of default values (if relevant):",
         ("Precursors without a supplier's footprint are at default values for: "
          + ", ".join(estimated)) if estimated else "No default values used."),
        ("Carbon price instrument:",
         "China's national emissions trading scheme (allowances surrendered, at the average "
         "price paid; free allocation as the rebate)"
         if any(g.carbon_price_due is not None for g in goods) else "None recorded"),
    ]  # fmt: skip
    for index, (label, value) in enumerate(quality):
        _put(communication, 22 + index, [label, value])
    _put(communication, 25, PRODUCT_HEADER)
    for index, good in enumerate(goods):
        _put(communication, 26 + index, _product_row(good))

    products = workbook.create_sheet("Summary_Products")
    _put(products, 8, PRODUCT_HEADER)
    for column, label in CARBON_PRICE_HEADER.items():
        _put(products, 8, [label], first_column=column)
    for index, good in enumerate(goods):
        _put(products, 10 + index, _product_row(good))
        for column, value in _carbon_price_cells(good).items():
            _put(products, 10 + index, [value], first_column=column)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
