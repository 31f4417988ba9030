"""A supplier data request, round trip in a real browser: an approver sends it, the supplier
opens the mailed link in a fresh browser (no login, Chinese), answers with a PDF, the approver
accepts, and the overview's Scope 3 and its supplier-data share change by the expected amounts.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility, Organisation
from emissions.roles.definitions import APPROVER
from emissions.suppliers.models import Supplier, SupplierProduct
from tests.e2e.test_login_flow import assert_no_console_errors, log_in
from tests.factories import user_in_roles

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def approver(transactional_db, django_user_model, password):
    user = user_in_roles(django_user_model, "zhao.min", APPROVER)
    user.set_password(password)
    user.save()
    return user


@pytest.fixture
def purchase(transactional_db):
    """100 t of hot-rolled coil bought in May 2023: 191 t CO2e at the library's steel average."""
    Organisation.objects.create(name_en="Kehui", base_year=2019, gwp_basis="AR5")
    plant = Facility.objects.create(
        code="XT-01", name_en="Xingtai plant", name_zh="邢台工厂", kind="factory",
        province="CN-HE", grid_region="CN-North", opened_on=dt.date(2008, 1, 1),
    )  # fmt: skip
    supplier = Supplier.objects.create(
        name="Hebei Example Steel", name_zh="河北示例钢铁有限公司",
        credit_code="91130500MA0CXXXXX1", category="raw_materials", contact_name="王经理",
        email="carbon@steel.example.cn", language="zh-hans",
    )  # fmt: skip
    coil = SupplierProduct.objects.create(
        supplier=supplier, code="hbsteel-hrc", name="Hot-rolled coil", name_zh="热轧卷板",
        declared_unit="t", spend_sector="331110",
    )  # fmt: skip
    record = ActivityRecord(
        facility=plant, activity_type=ActivityType.objects.get(code="purchased_steel"),
        period_start=dt.date(2023, 5, 1), period_end=dt.date(2023, 5, 31),
        quantity=Decimal("100"), unit="t", data_quality="invoice", purchased_product=coil,
    )  # fmt: skip
    record.full_clean()
    record.save()
    assert record.co2e_kg == Decimal("191000.000000")
    return record


def _scope3_card(page: Page):
    return page.locator(".scope3-quality")


def test_a_supplier_answers_in_chinese_and_the_overview_changes(
    page: Page, browser, live_server, approver, purchase, password, console_errors
):
    log_in(page, live_server, approver.username, password)
    page.goto(f"{live_server.url}/?year=2023")
    card = _scope3_card(page)
    expect(card.locator(".kpi-value")).to_have_text("0.0 %")
    expect(card).to_contain_text("of 191.0 t Scope 3")

    supplier = purchase.purchased_product.supplier
    page.goto(f"{live_server.url}/suppliers/requests/new/?supplier={supplier.pk}&year=2023")
    page.get_by_label("热轧卷板 (hbsteel-hrc)").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Request sent to carbon@steel.example.cn")).to_be_visible()
    (message,) = mail.outbox
    assert "热轧卷板" in message.body  # in the supplier's language
    link = re.search(r"http\S+/supplier-data/\S+/", message.body).group(0)
    link = link.replace("http://127.0.0.1:8000", live_server.url)

    # The supplier: a fresh browser, no session, Chinese.
    context = browser.new_context(locale="zh-CN")
    supplier_page = context.new_page()
    supplier_page.goto(link)
    expect(supplier_page.get_by_role("heading", name="2023 年碳数据")).to_be_visible()
    expect(supplier_page.get_by_role("navigation", name="Main")).to_have_count(0)
    supplier_page.get_by_label("产品碳足迹").check()
    supplier_page.get_by_label("每声明单位千克 CO2e").fill("1850")
    supplier_page.get_by_label("边界").select_option("cradle_to_gate")
    supplier_page.get_by_label("方法").select_option("gbt_24067")
    # "核查" alone, not "核查机构" (the verifier's name).
    supplier_page.get_by_label("核查:", exact=True).select_option("third_party")
    supplier_page.get_by_label("核查机构").fill("中国质量认证中心")
    supplier_page.get_by_label("您的姓名").fill("王经理")
    supplier_page.locator("input[type=file]").set_input_files(
        {"name": "碳足迹报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    supplier_page.get_by_role("button", name="提交给科汇").click()
    expect(supplier_page.get_by_text("谢谢：您的答复已收到，正在审核中。")).to_be_visible()
    context.close()

    # The approver accepts; the purchase is recalculated with the supplier's footprint.
    page.goto(f"{live_server.url}/suppliers/")
    page.get_by_role("link", name="Submitted, to review").click()
    expect(page.get_by_role("link", name="碳足迹报告.pdf")).to_be_visible()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("Accepted: 1 supplier-specific factor(s) made")).to_be_visible()

    page.goto(f"{live_server.url}/?year=2023")
    card = _scope3_card(page)
    expect(card.locator(".kpi-value")).to_have_text("100.0 %")
    expect(card).to_contain_text("of 185.0 t Scope 3")  # 100 t × 1,850 kg: −6 t
    purchase.refresh_from_db()
    assert purchase.co2e_kg == Decimal("185000.000000")
    assert mail.outbox[-1].subject.startswith("感谢")
    page.wait_for_load_state("networkidle")
    assert_no_console_errors(page, console_errors)
