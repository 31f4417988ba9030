import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from emissions.facilities.models import Facility, Organisation
from emissions.factors.models import EmissionFactor, FactorDataset, Gas
from emissions.jobs.models import Job
from tests import factories

pytestmark = pytest.mark.django_db

SHIPPED_KEY = "grid_electricity_cn_he_2023"

FACTOR_POST = {
    "key": "kehui_supplier_mix_2023",
    "name": "Supplier green-tariff mix 2023",
    "group": "grid_electricity",
    "series": "",
    "category": "s2_electricity",
    "unit": "kWh",
    "region": "CN-HE",
    "year": "2023",
    "co2_kg": "0.5",
    "ch4_kg": "",
    "n2o_kg": "",
    "biogenic_co2_kg": "",
    "co2e_kg": "",
    "co2e_gwp_basis": "",
    "source_reference": "Supplier contract 2023-17, annex 2",
    "notes": "",
}


@pytest.fixture
def custom_dataset():
    return FactorDataset.objects.create(
        name="Kehui supplier data", publisher="Kehui procurement", version="2023"
    )


@pytest.fixture
def custom_factor(custom_dataset):
    fields = {k: v for k, v in FACTOR_POST.items() if v and k != "co2_kg"}
    return EmissionFactor.objects.create(**fields, dataset=custom_dataset, co2_kg=Decimal("0.5"))


@pytest.fixture
def shipped_factor():
    return EmissionFactor.objects.select_related("dataset").get(key=SHIPPED_KEY)


@pytest.fixture
def hebei_record(custom_factor):
    """10 MWh in Hebei, 2023: the organisation's own factor wins over the shipped one."""
    Organisation(name_en="Kehui test", base_year=2019).save()
    plant = Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )
    record = factories.make_record(plant, "grid_electricity", Decimal("10"), "MWh")
    assert record.factor == custom_factor
    return record


# Gases


def test_the_gas_changelist_lists_each_gas_with_its_gwps(admin_client):
    response = admin_client.get(reverse("admin:factors_gas_changelist"), {"q": "R-410A"})
    html = response.content.decode()
    assert response.status_code == 200
    r410a = Gas.objects.get(code="R-410A")
    assert r410a.name in html
    assert f"{r410a.gwp_ar5.normalize()}" in html
    assert reverse("admin:factors_gas_add") not in html


def test_a_gas_page_shows_its_gwps_without_a_save_button(admin_client):
    methane = Gas.objects.get(code="CH4")
    response = admin_client.get(reverse("admin:factors_gas_change", args=[methane.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert methane.source in html
    assert 'name="_save"' not in html


def test_gases_cannot_be_added_changed_or_deleted(admin_client):
    methane = Gas.objects.get(code="CH4")
    change_url = reverse("admin:factors_gas_change", args=[methane.pk])
    assert admin_client.get(reverse("admin:factors_gas_add")).status_code == 403
    response = admin_client.post(change_url, {"code": "CH4", "gwp_ar5": "1"})
    assert response.status_code == 403
    delete_url = reverse("admin:factors_gas_delete", args=[methane.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    methane.refresh_from_db()
    assert methane.gwp_ar5 == Decimal("28")


# Datasets


def test_the_dataset_changelist_counts_each_datasets_factors(admin_client, custom_factor):
    url = reverse("admin:factors_factordataset_changelist")
    response = admin_client.get(url, {"q": "Kehui supplier"})
    html = response.content.decode()
    assert "Kehui supplier data" in html
    assert '<td class="field-factor_count">1</td>' in html


def test_the_dataset_changelist_filters_shipped_datasets(admin_client, custom_dataset):
    url = reverse("admin:factors_factordataset_changelist")
    response = admin_client.get(url, {"is_shipped__exact": "1"})
    html = response.content.decode()
    assert "GB/T 32150-2025" in html
    assert "Kehui supplier data" not in html


def test_a_shipped_dataset_is_read_only_and_cannot_be_deleted(admin_client, shipped_factor):
    dataset = shipped_factor.dataset
    change_url = reverse("admin:factors_factordataset_change", args=[dataset.pk])
    response = admin_client.get(change_url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = admin_client.post(change_url, {"name": "Renamed", "publisher": "x", "version": "1"})
    assert response.status_code == 403
    delete_url = reverse("admin:factors_factordataset_delete", args=[dataset.pk])
    assert admin_client.get(delete_url).status_code == 403
    dataset.refresh_from_db()
    assert dataset.name != "Renamed"


def test_a_custom_dataset_can_be_edited(admin_client, custom_dataset):
    change_url = reverse("admin:factors_factordataset_change", args=[custom_dataset.pk])
    response = admin_client.post(
        change_url,
        {"name": "Kehui supplier data", "publisher": "Kehui procurement", "version": "2024"},
    )
    assert response.status_code == 302
    custom_dataset.refresh_from_db()
    assert custom_dataset.version == "2024"
    assert not custom_dataset.is_shipped


# Factors


def test_the_factor_changelist_filters_by_group_and_region(admin_client, shipped_factor):
    url = reverse("admin:factors_emissionfactor_changelist")
    response = admin_client.get(url, {"group": "grid_electricity", "region": "CN-HE"})
    html = response.content.decode()
    assert response.status_code == 200
    assert SHIPPED_KEY in html
    assert "0.6516" in html
    assert "grid_electricity_cn_bj_2023" not in html


def test_the_factor_changelist_searches_the_source_reference(admin_client, custom_factor):
    url = reverse("admin:factors_emissionfactor_changelist")
    response = admin_client.get(url, {"q": "contract 2023-17"})
    html = response.content.decode()
    assert custom_factor.key in html
    assert SHIPPED_KEY not in html


def test_a_shipped_factor_page_shows_its_source_but_no_save_button(admin_client, shipped_factor):
    response = admin_client.get(
        reverse("admin:factors_emissionfactor_change", args=[shipped_factor.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(shipped_factor.dataset.name) in html
    assert escape(shipped_factor.source_reference) in html
    assert escape(shipped_factor.notes) in html
    assert 'name="_save"' not in html
    assert 'name="co2_kg"' not in html


def test_a_shipped_factor_cannot_be_changed(admin_client, shipped_factor):
    response = admin_client.post(
        reverse("admin:factors_emissionfactor_change", args=[shipped_factor.pk]),
        {**FACTOR_POST, "key": SHIPPED_KEY, "dataset": shipped_factor.dataset_id},
    )
    assert response.status_code == 403
    shipped_factor.refresh_from_db()
    assert shipped_factor.co2_kg == Decimal("0.6516")


def test_a_shipped_factor_cannot_be_deleted(admin_client, shipped_factor):
    delete_url = reverse("admin:factors_emissionfactor_delete", args=[shipped_factor.pk])
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:factors_emissionfactor_changelist"),
        {"action": "delete_selected", "_selected_action": [shipped_factor.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert EmissionFactor.objects.filter(pk=shipped_factor.pk).exists()


def test_the_add_form_offers_only_the_organisations_own_datasets(
    admin_client, custom_dataset, shipped_factor
):
    response = admin_client.get(reverse("admin:factors_emissionfactor_add"))
    html = response.content.decode()
    assert f'<option value="{custom_dataset.pk}">Kehui supplier data</option>' in html
    assert f'<option value="{shipped_factor.dataset_id}"' not in html


def test_the_admin_adds_a_custom_factor(admin_client, custom_dataset):
    response = admin_client.post(
        reverse("admin:factors_emissionfactor_add"),
        {**FACTOR_POST, "dataset": custom_dataset.pk},
    )
    assert response.status_code == 302
    factor = EmissionFactor.objects.get(key=FACTOR_POST["key"])
    assert factor.dataset == custom_dataset
    assert factor.co2_kg == Decimal("0.5")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dataset": "shipped"}, "Select a valid choice."),
        ({"unit": "zorkmid"}, "Unknown unit 'zorkmid'."),
        ({"co2_kg": ""}, "Give at least one gas or a published CO2e value."),
        ({"co2_kg": "-0.1"}, "Gas amounts cannot be negative."),
        ({"co2e_kg": "0.7"}, "A published CO2e value needs its GWP basis."),
    ],
)
def test_the_admin_names_each_bad_factor_field_and_writes_nothing(
    admin_client, custom_dataset, shipped_factor, changes, message
):
    datasets = {"shipped": shipped_factor.dataset_id}
    post = {**FACTOR_POST, "dataset": custom_dataset.pk, **changes}
    post["dataset"] = datasets.get(post["dataset"], post["dataset"])
    response = admin_client.post(reverse("admin:factors_emissionfactor_add"), post)
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not EmissionFactor.objects.filter(key=FACTOR_POST["key"]).exists()


def test_editing_a_custom_factor_rewrites_the_records_that_use_it(
    admin_client, custom_factor, hebei_record
):
    response = admin_client.post(
        reverse("admin:factors_emissionfactor_change", args=[custom_factor.pk]),
        {**FACTOR_POST, "dataset": custom_factor.dataset_id, "co2_kg": "0.6"},
    )
    assert response.status_code == 302
    hebei_record.refresh_from_db()
    assert hebei_record.co2_kg == Decimal("6000.000000")


def test_the_recalculate_action_rewrites_the_records_of_the_selected_factors(
    admin_client, custom_factor, hebei_record
):
    # A factor changed behind the signals' back (e.g. by a raw SQL fix): records drift.
    EmissionFactor.objects.filter(pk=custom_factor.pk).update(co2_kg=Decimal("0.6123"))
    hebei_record.refresh_from_db()
    assert hebei_record.co2_kg == Decimal("5000.000000")

    response = admin_client.post(
        reverse("admin:factors_emissionfactor_changelist"),
        {"action": "recalculate_records", "_selected_action": [custom_factor.pk]},
        follow=True,
    )
    job = Job.objects.get()
    assert job.description == f"Recalculate the records of {custom_factor.key}"
    assert (
        f"Recalculate the records of {custom_factor.key}: 1 record was changed (job #{job.pk})."
        in response.content.decode()
    )
    hebei_record.refresh_from_db()
    assert hebei_record.co2_kg == Decimal("6123.000000")
    assert hebei_record.co2e_kg == Decimal("6123.000000")


@pytest.mark.parametrize(
    ("codenames", "offered"),
    [
        (["view_emissionfactor", "change_emissionfactor"], False),
        (["view_emissionfactor", "change_activityrecord"], True),
    ],
)
def test_the_recalculate_action_is_offered_only_to_those_who_may_change_records(
    client, django_user_model, codenames, offered
):
    user = django_user_model.objects.create_user("librarian", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    response = client.get(reverse("admin:factors_emissionfactor_changelist"))
    assert response.status_code == 200
    assert ('value="recalculate_records"' in response.content.decode()) is offered


def test_a_staff_user_without_permission_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:factors_emissionfactor_changelist"))
    assert response.status_code == 403


def test_a_non_staff_user_is_sent_to_the_admin_login(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("admin:factors_emissionfactor_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
