import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from simple_history.admin import SimpleHistoryAdmin

from emissions.offsets import services
from emissions.offsets.models import (
    AllowanceTransaction,
    CreditBatch,
    CreditProject,
    EnergyCertificate,
    Retirement,
    RetirementReversal,
    TreePlanting,
)
from tests.factories import gec_code

from .conftest import MARCH_2024, OFFSET_MODELS

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:offsets_{model._meta.model_name}_{view}", args=args)


def assert_shows_error(response, message):
    assert response.status_code == 200  # the form again, not a redirect
    assert escape(message) in response.content.decode()


# Every model


@pytest.mark.parametrize("model", OFFSET_MODELS, ids=lambda model: model.__name__)
def test_each_model_has_a_history_admin_whose_list_and_add_pages_open(admin_client, model):
    assert isinstance(admin.site._registry[model], SimpleHistoryAdmin)
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200


# Credit batches


@pytest.fixture
def batch_post(ccer_forest):
    return {
        "project": ccer_forest.pk,
        "vintage_year": "2023",
        "quantity_t": "100",
        "serial_first": "1",
        "serial_last": "100",
        "purchased_on": "2024-01-15",
        "price_per_t": "85.50",
        "currency": "CNY",
    }


def test_a_batch_added_in_the_admin_is_created_through_the_service_once(
    admin_client, admin_user, batch_post
):
    response = admin_client.post(url(CreditBatch, "add"), batch_post)

    assert response.status_code == 302
    batch = CreditBatch.objects.get()
    assert (batch.serial_first, batch.serial_last, batch.quantity_t) == (1, 100, Decimal("100"))
    # One history entry (the service's save), by the user who added it.
    assert [entry.history_user for entry in batch.history.all()] == [admin_user]


def test_the_batch_add_form_shows_the_services_overlap_message_and_writes_nothing(
    admin_client, batch_post, ccer_forest, make_batch, nothing_written
):
    make_batch(ccer_forest, 50, first=51)

    with nothing_written():
        response = admin_client.post(url(CreditBatch, "add"), batch_post)

    assert_shows_error(
        response,
        "Serial numbers 1–100 overlap batch CCER-14-001 v2023 #51–100 on the same registry, "
        "CCER (China Certified Emission Reduction).",
    )


def test_the_batch_list_shows_what_was_retired_and_what_remains(
    admin_client, ccer_forest, make_batch, retire
):
    batch = make_batch(ccer_forest, 100)
    retirement = retire(batch, 60)
    services.reverse_retirement(
        retirement=retirement,
        quantity_t=Decimal("20"),
        reversed_on=dt.date(2025, 4, 1),
        reason="Registry correction.",
    )

    html = admin_client.get(url(CreditBatch, "changelist")).content.decode()

    assert '<td class="field-retired">40</td>' in html
    assert '<td class="field-remaining">60</td>' in html
    assert f'href="{url(Retirement, "add")}?batch={batch.pk}"' in html


def test_the_batch_list_takes_as_many_queries_for_many_batches_as_for_one(
    admin_client, ccer_forest, ccer_wind, vcs_wind, make_batch, retire
):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(CreditBatch, "changelist")).status_code == 200
        return len(queries)

    retire(make_batch(ccer_forest, 100), 10)
    one_batch = count_queries()
    for project, first in [(ccer_wind, 1001), (vcs_wind, 1), (vcs_wind, 2001)]:
        retire(make_batch(project, 100, first=first), 10)

    assert count_queries() == one_batch


def test_a_batchs_serials_cannot_be_changed_but_its_price_can(
    admin_client, ccer_forest, make_batch
):
    batch = make_batch(ccer_forest, 100)

    html = admin_client.get(url(CreditBatch, "change", batch.pk)).content.decode()

    assert 'name="serial_first"' not in html
    assert 'name="quantity_t"' not in html
    assert 'name="price_per_t"' in html


# Retirements


@pytest.fixture
def forest_batch(ccer_forest, make_batch):
    return make_batch(ccer_forest, 100)


def retirement_post(batch, tonnes):
    return {
        "batch": batch.pk,
        "quantity_t": str(tonnes),
        "retired_on": "2025-03-20",
        "claimed_year": "2024",
        "purpose": "neutrality",
        "registry_reference": "CCER-RET-2025-0320",
        "beneficiary_statement": "",
    }


def test_the_retirement_add_form_preselects_the_batch_given_in_the_address(
    admin_client, forest_batch
):
    response = admin_client.get(f"{url(Retirement, 'add')}?batch={forest_batch.pk}")

    assert f'<option value="{forest_batch.pk}" selected>' in response.content.decode()


def test_a_retirement_added_in_the_admin_goes_through_the_service(admin_client, forest_batch):
    response = admin_client.post(url(Retirement, "add"), retirement_post(forest_batch, 60))

    assert response.status_code == 302
    retirement = Retirement.objects.get()
    assert (retirement.batch, retirement.quantity_t) == (forest_batch, Decimal("60"))
    assert retirement.history.count() == 1


def test_the_retirement_add_form_shows_the_over_retirement_message_and_writes_nothing(
    admin_client, forest_batch, retire, nothing_written
):
    retire(forest_batch, 60)

    with nothing_written():
        response = admin_client.post(url(Retirement, "add"), retirement_post(forest_batch, 60))

    assert_shows_error(
        response, "Batch CCER-14-001 v2023 #1–100 holds only 40 tCO2e; cannot retire 60."
    )


def test_a_retirement_cannot_be_changed_or_deleted_in_the_admin(
    admin_client, forest_batch, retire, nothing_written
):
    retirement = retire(forest_batch, 60)
    change_url = url(Retirement, "change", retirement.pk)

    page = admin_client.get(change_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html
    assert 'name="quantity_t"' not in html
    assert f'href="{url(RetirementReversal, "add")}?retirement={retirement.pk}"' in html
    with nothing_written():
        assert admin_client.post(change_url, retirement_post(forest_batch, 1)).status_code == 403
        assert admin_client.get(url(Retirement, "delete", retirement.pk)).status_code == 403
        assert admin_client.post(url(Retirement, "delete", retirement.pk)).status_code == 403
    assert Retirement.objects.get().quantity_t == Decimal("60")


def test_an_old_version_of_a_retirement_cannot_be_written_back_from_its_history(
    admin_client, forest_batch, retire, nothing_written
):
    retirement = retire(forest_batch, 60)
    version = retirement.history.get()
    history_url = url(Retirement, "simple_history", retirement.pk, version.history_id)

    assert admin_client.get(history_url).status_code == 200
    with nothing_written():
        assert admin_client.post(history_url, {}).status_code == 403


# Reversals


def test_the_reversal_add_form_shows_the_services_message_and_writes_nothing(
    admin_client, forest_batch, retire, nothing_written
):
    retirement = retire(forest_batch, 60)

    with nothing_written():
        response = admin_client.post(
            url(RetirementReversal, "add"),
            {
                "retirement": retirement.pk,
                "quantity_t": "61",
                "reversed_on": "2025-04-01",
                "reason": "Wrong year.",
            },
        )

    assert_shows_error(
        response,
        "Only 60 tCO2e of the retirement “60.000 t from CCER-14-001 v2023 #1–100 for 2024” can "
        "still be reversed (0 reversed already); cannot reverse 61.",
    )


def test_a_reversal_cannot_be_deleted_in_the_admin(admin_client, forest_batch, retire):
    reversal = services.reverse_retirement(
        retirement=retire(forest_batch, 60),
        quantity_t=Decimal("5"),
        reversed_on=dt.date(2025, 4, 1),
        reason="Wrong year.",
    )

    assert admin_client.get(url(RetirementReversal, "delete", reversal.pk)).status_code == 403


# Certificates


def test_the_certificate_add_form_shows_the_over_allocation_message_and_writes_nothing(
    admin_client, hebei_plant, make_record, nothing_written
):
    make_record(hebei_plant, "grid_electricity", Decimal("100"), "MWh", **MARCH_2024)
    # GECs are entered by the first and last codes of a range: serials, generation period and
    # registry are read from them, so the form leaves those empty.
    post = {
        "scheme": "gec",
        "gec_code_first": gec_code(1, month=3),
        "gec_code_last": gec_code(120, month=3),
        "registry": "",
        "technology": "wind",
        "serial_first": "",
        "serial_last": "",
        "generation_start": "",
        "generation_end": "",
        "mwh": "120",
        "facility": hebei_plant.pk,
        "market_country": "CN",
        "reporting_year": "2024",
        "kg_co2e_per_kwh": "0",
    }

    with nothing_written():
        response = admin_client.post(url(EnergyCertificate, "add"), post)

    assert_shows_error(
        response,
        "Certificates applied to XT-01 Xingtai main plant in 2024 would exceed its grid "
        "electricity: 100 MWh consumed, 0 MWh already applied, 120 MWh requested.",
    )

    post.update(gec_code_last=gec_code(100, month=3), mwh="100")
    assert admin_client.post(url(EnergyCertificate, "add"), post).status_code == 302
    certificate = EnergyCertificate.objects.get()
    assert (certificate.mwh, certificate.serial_first, certificate.serial_last) == (
        Decimal("100"),
        1,
        100,
    )
    assert certificate.gec_codes.count() == 100


def test_the_certificate_add_form_names_a_wrong_gec_code_on_its_field(
    admin_client, hebei_plant, nothing_written
):
    post = {
        "scheme": "gec",
        "gec_code_first": gec_code(1, month=3),
        "gec_code_last": "1130123",
        "technology": "wind",
        "mwh": "10",
        "facility": hebei_plant.pk,
        "market_country": "CN",
        "reporting_year": "2024",
        "kg_co2e_per_kwh": "0",
    }
    with nothing_written():
        response = admin_client.post(url(EnergyCertificate, "add"), post)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"gec_code_last": ["A GEC code has 32 characters; 1130123 has 7."]}


def test_an_irec_needs_its_serials_and_generation_period(
    admin_client, hebei_plant, nothing_written
):
    post = {
        "scheme": "irec",
        "registry": "I-TRACK",
        "technology": "wind",
        "mwh": "10",
        "facility": hebei_plant.pk,
        "market_country": "CN",
        "reporting_year": "2024",
        "kg_co2e_per_kwh": "0",
    }
    with nothing_written():
        response = admin_client.post(url(EnergyCertificate, "add"), post)
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"serial_first", "serial_last", "generation_start", "generation_end"}


# Allowances


def test_the_allowance_add_form_shows_the_over_surrender_message_and_writes_nothing(
    admin_client, casting_workshop, nothing_written
):
    post = {
        "facility": casting_workshop.pk,
        "compliance_year": "2024",
        "kind": "surrender",
        "quantity_t": "10",
        "transacted_on": "2025-12-10",
        "price_per_t": "",
        "reference": "",
    }

    with nothing_written():
        response = admin_client.post(url(AllowanceTransaction, "add"), post)

    assert_shows_error(
        response,
        "XT-02 Xingtai casting workshop holds only 0 tCO2 of allowances for 2024; "
        "cannot surrender 10.",
    )


def test_an_allowance_transaction_cannot_be_changed_or_deleted(admin_client, casting_workshop):
    allocation = services.record_allowance_transaction(
        facility=casting_workshop,
        compliance_year=2024,
        kind="allocation",
        quantity_t=Decimal("2000"),
        transacted_on=dt.date(2024, 12, 18),
    )

    page = admin_client.get(url(AllowanceTransaction, "change", allocation.pk))
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(url(AllowanceTransaction, "delete", allocation.pk)).status_code == 403


# Plain records


def test_a_project_and_a_planting_are_added_with_ordinary_forms(admin_client, casting_workshop):
    response = admin_client.post(
        url(CreditProject, "add"),
        {
            "name": "Taihang afforestation",
            "standard": "ccer",
            "registry_project_id": "CCER-14-001",
            "project_type": "afforestation",
            "kind": "removal",
            "country": "CN",
            "methodology": "",
        },
    )
    assert response.status_code == 302
    response = admin_client.post(
        url(TreePlanting, "add"),
        {
            "name": "Poplar belt",
            "facility": casting_workshop.pk,
            "location": "",
            "area_ha": "20",
            "species": "Poplar",
            "planting_year": "2021",
            "sequestration_t_per_year": "120",
            "method": "20 ha × 6 t/ha/year.",
        },
    )
    assert response.status_code == 302
    assert TreePlanting.objects.get().sequestration_t_per_year == Decimal("120")


@pytest.mark.parametrize("model", OFFSET_MODELS, ids=lambda model: model.__name__)
def test_each_list_can_be_sorted_by_every_column(admin_client, model, forest_batch, retire):
    retire(forest_batch, 10)
    columns = len(admin.site._registry[model].list_display)

    for column in range(1, columns + 1):
        for order in (str(column), f"-{column}"):
            response = admin_client.get(url(model, "changelist"), {"o": order})
            assert response.status_code == 200, (column, order)


def test_a_batchs_price_can_be_corrected_and_nothing_else(admin_client, forest_batch, batch_post):
    inline_management = {
        "retirements-TOTAL_FORMS": "0",
        "retirements-INITIAL_FORMS": "0",
        "retirements-MIN_NUM_FORMS": "0",
        "retirements-MAX_NUM_FORMS": "0",
    }
    post = {**batch_post, **inline_management, "price_per_t": "90.00", "serial_last": "999"}

    response = admin_client.post(url(CreditBatch, "change", forest_batch.pk), post)

    assert response.status_code == 302
    batch = CreditBatch.objects.get()
    assert (batch.price_per_t, batch.serial_last) == (Decimal("90.00"), 100)
