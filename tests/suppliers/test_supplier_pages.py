"""The staff's supplier pages: tracking, sending a request, reviewing, revoking, files."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from emissions.factors.models import EmissionFactor, FactorBasis
from emissions.neutrality.inventory import scope3_by_supplier, scope3_quality
from emissions.suppliers import services
from emissions.suppliers.models import DataRequest, Submission
from tests.factories import user_in_roles

from .conftest import PURCHASE_2023, SPEND_CNY, TONNES

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(django_user_model):
    return user_in_roles(django_user_model, "approver", "Approver")


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


@pytest.fixture
def purchases(make_record, hebei_plant, coil):
    """100 t of coil at the library average and the same purchase again priced by spend."""
    return [
        make_record(hebei_plant, "purchased_steel", TONNES, "t", purchased_product=coil,
                    **PURCHASE_2023),
        make_record(hebei_plant, "purchased_steel", SPEND_CNY, "CNY", purchased_product=coil,
                    **PURCHASE_2023),
    ]  # fmt: skip


def test_scope3_quality_splits_the_tonnes_by_kind_of_data(purchases, make_record, hebei_plant):
    make_record(hebei_plant, "hotel_nights", Decimal("10"), "night", **PURCHASE_2023)
    quality = scope3_quality(2023, approved_only=False)
    hotel = quality.kg - Decimal("191000") - Decimal("51891.007877")
    assert quality.kg_by_basis[FactorBasis.AVERAGE] == Decimal("191000") + hotel
    assert quality.kg_by_basis[FactorBasis.SPEND] == Decimal("51891.007877")
    assert quality.supplier_specific_pct == Decimal("0.0")
    assert scope3_quality(2023, approved_only=True).kg == 0  # nothing approved yet
    (supplier,) = scope3_by_supplier(2023, approved_only=False).values()
    assert supplier.kg == Decimal("242891.007877")
    assert supplier.spend_kg == Decimal("51891.007877")


def test_the_suppliers_page_tracks_requests_and_whom_to_ask_next(
    approver_client, purchases, coil, django_assert_num_queries
):
    url = reverse("dashboard:suppliers") + "?year=2023"
    response = approver_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "河北示例钢铁有限公司" in html and "91130500MA0CXXXXX1" in html
    assert "Not asked" in html
    ask_next = html.split('id="ask-next"')[1]
    assert "51.891 t CO2e" in ask_next or "51.891" in ask_next
    with django_assert_num_queries(_page_queries(approver_client, url)):
        approver_client.get(url)


def _page_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def test_the_page_costs_the_same_with_more_suppliers(
    approver_client, purchases, coil, approver, django_assert_num_queries
):
    from emissions.suppliers.models import Supplier

    url = reverse("dashboard:suppliers") + "?year=2023"
    before = _page_queries(approver_client, url)
    for n in range(5):
        Supplier.objects.create(name=f"S{n}", category="services", email=f"s{n}@x.example")
    services.send_request(supplier=coil.supplier, year=2023, products=[coil], message="",
                          user=approver)  # fmt: skip
    with django_assert_num_queries(before):
        approver_client.get(url)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("dashboard:suppliers", []),
        ("dashboard:supplier_request_new", []),
        ("dashboard:supplier_request", [1]),
        ("dashboard:supplier_file", [1]),
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_users_without_the_permission_get_403(client, django_user_model, coil, approver):
    outsider = user_in_roles(django_user_model, "nobody")
    client.force_login(outsider)
    assert client.get(reverse("dashboard:suppliers")).status_code == 403
    viewer = user_in_roles(django_user_model, "viewer2", "Viewer")
    client.force_login(viewer)
    assert client.get(reverse("dashboard:suppliers")).status_code == 200
    # Viewers see, but may not send, revoke or review.
    assert client.get(reverse("dashboard:supplier_request_new")).status_code == 403
    sent = services.send_request(supplier=coil.supplier, year=2023, products=[coil], message="",
                                 user=approver)  # fmt: skip
    assert (
        client.post(
            reverse("dashboard:supplier_request_revoke", args=[sent.request.pk])
        ).status_code
        == 403
    )
    assert DataRequest.objects.get().status == "sent"


def test_missing_things_are_404_and_wrong_methods_405(approver_client):
    assert approver_client.get(reverse("dashboard:supplier_request", args=[999])).status_code == 404
    assert approver_client.get(reverse("dashboard:supplier_file", args=[999])).status_code == 404
    assert approver_client.post(reverse("dashboard:supplier_accept", args=[999])).status_code == 404
    assert approver_client.get(reverse("dashboard:supplier_accept", args=[1])).status_code == 405
    assert approver_client.post(reverse("dashboard:suppliers")).status_code == 405
    assert (
        approver_client.get(reverse("dashboard:supplier_request_new") + "?supplier=abc").status_code
        == 404
    )


def test_sending_a_request_from_the_page(approver_client, coil, django_capture_on_commit_callbacks):
    url = reverse("dashboard:supplier_request_new")
    form = approver_client.get(url + f"?supplier={coil.supplier.pk}&year=2023")
    assert "热轧卷板" in form.content.decode()
    data = {"supplier": coil.supplier.pk, "year": 2023, "products": [coil.pk], "days": 30,
            "message": "谢谢"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = approver_client.post(url, data)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    page = approver_client.get(response["Location"])
    assert "/supplier-data/" in page.content.decode()  # the link, shown once in the message
    # A double click: the second post is refused with a message, nothing mailed again.
    with django_capture_on_commit_callbacks(execute=True):
        again = approver_client.post(url, data)
    assert again.status_code == 400
    assert "already open" in again.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"products": []}, "This field is required."),
        ({"year": "20x3"}, "Enter a whole number."),
        ({"days": "0"}, "greater than or equal to 1"),
        ({"supplier": "999"}, "Select a valid choice."),
    ],
)
def test_each_bad_field_of_the_request_form_is_named(approver_client, coil, change, message):
    data = {"supplier": coil.supplier.pk, "year": 2023, "products": [coil.pk], "days": 30}
    response = approver_client.post(reverse("dashboard:supplier_request_new"), data | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataRequest.objects.exists()


def test_a_supplier_without_email_cannot_be_asked(approver_client, coil):
    coil.supplier.email = ""
    coil.supplier.save()
    data = {"supplier": coil.supplier.pk, "year": 2023, "products": [coil.pk], "days": 30}
    response = approver_client.post(reverse("dashboard:supplier_request_new"), data)
    assert response.status_code == 400
    assert "has no e-mail address" in response.content.decode()


def test_reviewing_on_the_request_page_then_the_overview_changes(
    approver_client, client, approver, coil, purchases, django_capture_on_commit_callbacks
):
    sent = services.send_request(supplier=coil.supplier, year=2023, products=[coil], message="",
                                 user=approver)  # fmt: skip
    token = sent.link.rstrip("/").rsplit("/", 1)[1]
    prefix = f"p{coil.pk}-"
    from django.test import Client

    Client().post(f"/supplier-data/{token}/", {
        "contact_name": "王", prefix + "kind": "footprint", prefix + "kg_co2e_per_unit": "1850",
        prefix + "boundary": "cradle_to_gate", prefix + "method": "iso_14067",
        prefix + "verification": "none",
    })  # fmt: skip
    submission = Submission.objects.get()
    page = approver_client.get(reverse("dashboard:supplier_request", args=[sent.request.pk]))
    assert "1,850.000 kg CO2e / t" in page.content.decode() or "1850" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        approver_client.post(reverse("dashboard:supplier_accept", args=[submission.pk]))
    assert EmissionFactor.objects.filter(dataset__basis=FactorBasis.SUPPLIER_PRODUCT).count() == 1
    quality = scope3_quality(2023, approved_only=False)
    # The tonnage purchase now uses the footprint (185 t); the one recorded in CNY stays spend.
    assert quality.kg_by_basis[FactorBasis.SUPPLIER_PRODUCT] == Decimal("185000.000000")
    overview = approver_client.get("/?year=2023").content.decode()
    assert "Scope 3 from supplier data" in overview


def test_an_htmx_year_change_gets_the_page_body_only(approver_client, purchases):
    response = approver_client.get(
        reverse("dashboard:suppliers") + "?year=2023", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="page-body">')
    assert "<html" not in html and "河北示例钢铁有限公司" in html


def test_a_bad_year_is_ignored_with_a_message(approver_client, purchases):
    response = approver_client.get(reverse("dashboard:suppliers") + "?year=abc")
    assert response.status_code == 200
    assert "Ignored Year" in response.content.decode()
