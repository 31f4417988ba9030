"""After a factor or GWP-basis change in the admin, the admin says how many records it recalculated.

The recalculation is a job (activities/jobs.py): under pytest it runs where it is queued, so the
message gives its count; with a worker, it says where to follow the job. Also: the facility
admin's grid-region help states the factor-choice rule as choice.py applies it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from emissions.activities.models import ActivityType, RecalculationRun
from emissions.facilities.admin import GRID_REGION_HELP
from emissions.facilities.models import Facility, Organisation
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.jobs.models import Job
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = Organisation(name_en="Kehui test", base_year=2019, gwp_basis="AR5")
    organisation.save()
    return organisation


@pytest.fixture
def plant(organisation):
    return Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )


@pytest.fixture
def own_factor():
    """The organisation's own Hebei grid factor for 2023: it wins over the shipped one."""
    dataset = FactorDataset.objects.create(
        name="Kehui supplier data", publisher="Kehui procurement", version="2023"
    )
    return EmissionFactor.objects.create(
        key="kehui_supplier_mix_2023",
        name="Supplier green-tariff mix 2023",
        dataset=dataset,
        group="grid_electricity",
        category="s2_electricity",
        unit="kWh",
        region="CN-HE",
        year=2023,
        co2_kg=Decimal("0.5"),
        source_reference="Supplier contract 2023-17, annex 2",
    )


def form_data(admin_client, url: str) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_saving_a_changed_factor_says_how_many_records_were_recalculated(
    admin_client, plant, own_factor
):
    for month in (3, 4, 5):
        record = factories.make_record(
            plant,
            "grid_electricity",
            Decimal("10"),
            "MWh",
            start=dt.date(2023, month, 1),
            end=dt.date(2023, month, 28),
        )
        assert record.factor == own_factor
    url = reverse("admin:factors_emissionfactor_change", args=[own_factor.pk])
    data = {**form_data(admin_client, url), "co2_kg": "0.6"}

    response = admin_client.post(url, data, follow=True)

    assert (
        "Recalculate the records of kehui_supplier_mix_2023: 3 records were changed (job #"
    ) in messages_of(response)[0]
    record.refresh_from_db()
    assert record.co2e_kg == Decimal("6000.000000")  # 10 MWh × 0.6 kg/kWh
    assert RecalculationRun.objects.get().records_updated == 3


def test_saving_a_factor_no_record_uses_says_nothing_about_records(admin_client, own_factor):
    url = reverse("admin:factors_emissionfactor_change", args=[own_factor.pk])
    response = admin_client.post(
        url, {**form_data(admin_client, url), "co2_kg": "0.6"}, follow=True
    )
    assert not [text for text in messages_of(response) if "job #" in text]


def test_changing_the_gwp_basis_says_how_many_records_were_recalculated(
    admin_client, organisation, plant
):
    leak = factories.make_record(plant, "refrigerant_r134a", Decimal("2"), "kg")
    factories.make_record(plant, "grid_electricity", Decimal("10"), "MWh")
    assert leak.co2e_kg == Decimal("2600.000000")  # 2 kg × 1,300 (AR5)
    url = reverse("admin:facilities_organisation_change", args=[organisation.pk])
    data = {**form_data(admin_client, url), "gwp_basis": "AR4"}

    response = admin_client.post(url, data, follow=True)

    assert messages_of(response)[0].startswith(
        "Recalculate CO2e of all records: GWP basis AR5 → AR4: 2 records were changed (job #"
    )
    leak.refresh_from_db()
    assert leak.co2e_kg == Decimal("2860.000000")  # 2 kg × 1,430 (AR4)


def test_one_record_is_said_in_the_singular(admin_client, organisation, plant):
    factories.make_record(plant, "refrigerant_r134a", Decimal("2"), "kg")
    url = reverse("admin:facilities_organisation_change", args=[organisation.pk])
    response = admin_client.post(
        url, {**form_data(admin_client, url), "gwp_basis": "AR6"}, follow=True
    )
    assert ": 1 record was changed (job #" in messages_of(response)[0]


def test_a_change_that_recalculates_nothing_says_nothing_about_records(
    admin_client, organisation, plant
):
    factories.make_record(plant, "grid_electricity", Decimal("10"), "MWh")
    url = reverse("admin:facilities_organisation_change", args=[organisation.pk])
    response = admin_client.post(
        url, {**form_data(admin_client, url), "name_en": "Kehui Xingtai"}, follow=True
    )
    assert response.status_code == 200
    assert not [text for text in messages_of(response) if "job #" in text]
    assert not RecalculationRun.objects.exists()


def test_with_a_worker_the_message_says_where_to_follow_the_job(
    admin_client, organisation, plant, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    factories.make_record(plant, "refrigerant_r134a", Decimal("2"), "kg")
    url = reverse("admin:facilities_organisation_change", args=[organisation.pk])
    response = admin_client.post(
        url, {**form_data(admin_client, url), "gwp_basis": "AR4"}, follow=True
    )
    (queued, _saved) = messages_of(response)
    job = Job.objects.get()
    # It says how many records the job is to rewrite (the organisation's one record).
    assert f"recalculation of 1 record queued as job #{job.pk}" in queued
    # The link goes to the job's own page, whose progress bar follows it.
    assert f'<a href="{reverse("dashboard:job", args=[job.pk])}">Job #{job.pk}</a>' in queued


def test_the_grid_region_help_states_the_factor_choice_rule(admin_client):
    html = admin_client.get(reverse("admin:facilities_facility_add")).content.decode()
    # The admin writes help text as it is (|safe): the apostrophes are not escaped.
    assert f"<div>{GRID_REGION_HELP}</div>" in html
    assert "a provincial factor of another year" in str(GRID_REGION_HELP)
    # The model's older wording ("when no provincial factor exists for a year") is not shown.
    assert "Used when no provincial factor exists for a year." not in html


def test_saving_an_activity_type_says_what_choosing_its_factors_again_did(admin_client, plant):
    factories.make_record(plant, "grid_electricity", Decimal("10"), "MWh")
    grid = ActivityType.objects.get(code="grid_electricity")
    url = reverse("admin:activities_activitytype_change", args=[grid.pk])
    data = {**form_data(admin_client, url), "name_zh": "外购电网电力"}
    response = admin_client.post(url, data, follow=True)
    # Its one record keeps its factor: nothing changed, and the message says so.
    assert messages_of(response)[0].startswith(
        f"Choose the factors again for {grid.name}: 0 records were changed (job #"
    )
