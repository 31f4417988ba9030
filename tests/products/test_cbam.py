"""CBAM figures: the worked example's coil in 2026 against the EU default for CN 7208 with the
2026 mark-up (docs/methodology.md, "CBAM"), the page, and the communication workbook.

Hot-rolled coil (CN 72083900), 600 t at XT-01 in 2026:
- SEE direct = (64,866 kg attributed + 1,165,500 kg of billets at a default) ÷ 600 t
  = 2,050.61 kg/t = 2.050610 t/t; 94.73 % of it from default values
- SEE indirect = 390,960 kg ÷ 600 t = 0.651600 t/t, not in the total (iron and steel)
- EU default for China, CN 7208: 3.187 t/t; + 10 % in 2026 = 3.505700 t/t
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from emissions.products.cbam import (
    cbam_goods,
    cbam_sector,
    default_for,
    default_values,
    markup_percent,
)
from emissions.products.models import Precursor, Production
from tests.html_tables import page_tables
from tests.products.conftest import worked_example

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:cbam")


@pytest.fixture
def coil_2026(organisation, hebei_plant):
    return worked_example(hebei_plant, 2026)


def test_the_coil_against_its_default_with_the_2026_mark_up(coil_2026):
    coil, plate = cbam_goods(2026).goods

    assert (coil.product_code, coil.tonnes) == ("hrc", Decimal("600.000000"))
    assert coil.see_direct == Decimal("2.050610")
    assert coil.see_indirect == Decimal("0.651600")
    assert coil.see_total == Decimal("2.050610")
    assert coil.default_share_pct == Decimal("94.73")
    assert coil.default.total == Decimal("3.187")
    assert coil.markup_pct == Decimal(10)
    assert coil.default_with_markup == Decimal("3.505700")
    assert coil.is_estimated
    # The plate (CN 7208 51 20) has no precursor: 43,244 kg ÷ 400 t, all actual data.
    assert (plate.see_direct, plate.default_share_pct) == (Decimal("0.108110"), Decimal("0.00"))
    assert not plate.is_estimated


def test_mark_ups_by_year_and_sector():
    assert markup_percent(2025, "Iron and steel") is None
    assert markup_percent(2026, "Iron and steel") == 10
    assert markup_percent(2027, "Aluminium") == 20
    assert markup_percent(2031, "Cement") == 30
    assert markup_percent(2027, "Fertilisers") == 1


@pytest.mark.parametrize(
    ("cn_code", "sector", "default_code", "total"),
    [
        ("72083900", "Iron and steel", "7208", "3.187"),
        ("73269098", "Iron and steel", "73269098", "3.076"),
        ("25232900", "Cement", "25232900", "1.42"),
        ("76011000", "Aluminium", "7601", "3.0"),
        # No China value for 7203: the "other countries and territories" value applies.
        ("72031000", "Iron and steel", "7203", "1.325"),
        # Clinker's defaults are on 10-digit TARIC codes: covered, no default for 8 digits.
        ("25231000", "Cement", None, None),
        # Cast articles (7325) and pumps (8413) are not CBAM goods.
        ("73251000", None, None, None),
        ("84139100", None, None, None),
    ],
)
def test_a_cn_code_finds_its_sector_and_default(cn_code, sector, default_code, total):
    default = default_for(cn_code)

    assert cbam_sector(cn_code) == sector
    assert (default.cn_code if default else None) == default_code
    assert (default.total if default else None) == (Decimal(total) if total else None)


def test_the_shipped_table_holds_china_s_values_for_every_sector():
    sectors = {v.sector for values in default_values().values() for v in values}

    assert sectors == {"Iron and steel", "Aluminium", "Cement", "Fertilisers", "Hydrogen"}
    assert sum(len(values) for values in default_values().values()) == 282


def test_the_page_shows_actual_against_default(reader, coil_2026):
    response = reader.get(URL, {"year": 2026})

    assert response.status_code == 200
    row = [cell.text for cell in page_tables(response.content.decode())["table-goods"].body[0]]
    assert row == ["XT-01", "hrc", "72083900", "Iron and steel", "600.000", "2.051", "0.652",
                   "2.051", "3.187", "10", "3.506", "94.7 %", "—",
                   "estimated: precursors at default values"]  # fmt: skip
    pack = reverse("dashboard:cbam_pack", args=["XT-01", 2026])
    assert f'href="{pack}"' in response.content.decode()


def test_the_communication_workbook_is_in_the_template_s_structure(reader, coil_2026):
    response = reader.get(reverse("dashboard:cbam_pack", args=["XT-01", 2026]))

    assert response.status_code == 200
    assert "kehui-cbam-communication-XT-01-2026.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary_Communication", "Summary_Products"]
    products = workbook["Summary_Products"]
    assert products["D8"].value == "Production process from which the products arise"
    assert products["I8"].value == "SEE (direct)"
    coil = [products.cell(row=10, column=c).value for c in range(4, 15)]
    assert coil[:9] == ["Hot rolling", "Iron or steel products", "72083900",
                        default_for("72083900").description, "Hot-rolled coil", 2.05061, 0.6516,
                        2.05061, "tCO2e/t"]  # fmt: skip
    assert coil[9] == pytest.approx(0.9473)
    communication = workbook["Summary_Communication"]
    assert communication["D12"].value == "Name of the installation (English name):"
    assert communication["E12"].value == "Xingtai main plant"
    assert communication["E20"].value.date().isoformat() == "2026-01-01"
    assert "hrc" in communication["E23"].value  # defaults named in the justification


def test_a_pack_for_a_year_or_installation_without_goods_is_not_found(reader, coil_2026):
    assert reader.get(reverse("dashboard:cbam_pack", args=["XT-01", 2019])).status_code == 404
    assert reader.get(reverse("dashboard:cbam_pack", args=["NOPE", 2026])).status_code == 404


def test_a_year_without_cbam_goods_says_what_makes_one(reader, coil_2026):
    Precursor.objects.all().delete()
    Production.objects.all().delete()

    html = reader.get(URL, {"year": 2026}).content.decode()

    assert "A product is a CBAM good when its 8-digit CN code" in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)

    assert client.get(URL).status_code == 403
    assert client.get(reverse("dashboard:cbam_pack", args=["XT-01", 2026])).status_code == 403


def test_post_is_not_allowed(reader):
    assert reader.post(URL).status_code == 405
    assert reader.post(reverse("dashboard:cbam_pack", args=["XT-01", 2026])).status_code == 405


def test_the_carbon_price_paid_under_the_national_ets(reader, coil_2026, hebei_plant):
    """XT-01 surrendered 150 t for 2026, 100 t of them freely allocated, and bought 60 t at
    80 CNY. The coil has 60 % of the plant's direct emissions (64,866 of 108,110 kg) over 600 t:
    150 × 0.6 ÷ 600 = 0.15 t covered per tonne → 12 CNY due; 100 × 0.6 ÷ 600 = 0.1 t free →
    8 CNY rebate; 4 CNY per tonne effectively paid."""
    import datetime as dt

    from emissions.offsets import services

    for kind, tonnes, price in (("allocation", 100, None), ("purchase", 60, Decimal(80)),
                                ("surrender", 150, None)):  # fmt: skip
        services.record_allowance_transaction(
            facility=hebei_plant, compliance_year=2026, kind=kind, quantity_t=Decimal(tonnes),
            transacted_on=dt.date(2026, 11, 30), price_per_t=price,
        )  # fmt: skip

    coil, _plate = cbam_goods(2026).goods

    assert coil.ets_covered_t_per_t == Decimal("0.150000")
    assert coil.ets_price == Decimal("80.00")
    assert (coil.carbon_price_due, coil.carbon_price_rebate, coil.carbon_price_effective) == (
        Decimal("12.00"), Decimal("8.00"), Decimal("4.00"),
    )  # fmt: skip
    workbook = load_workbook(
        io.BytesIO(reader.get(reverse("dashboard:cbam_pack", args=["XT-01", 2026])).content)
    )
    row = {c.column: c.value for c in workbook["Summary_Products"][10] if c.value is not None}
    assert row[38] == "National Emissions Trading System"
    assert (row[44], row[50], row[52]) == (12.0, 8.0, 4.0)
