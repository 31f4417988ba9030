"""Retirements, reversals, certificates and own planting of a locked reporting year: the
services refuse them with a message and write nothing; the admin shows the message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.facilities import periods
from emissions.offsets import services
from emissions.offsets.models import (
    CertificateScheme,
    EnergyCertificate,
    Retirement,
    Technology,
    TreePlanting,
)
from tests.factories import gec_codes

from .conftest import MARCH_2024

pytestmark = pytest.mark.django_db

LOCKED_2024 = "Reporting year 2024 is locked since"


@pytest.fixture
def approver(django_user_model):
    return django_user_model.objects.create_user("mei.lin", password="approver-pass-123")


@pytest.fixture
def lock_2024(approver):
    def lock():
        return periods.lock_year(year=2024, user=approver)

    return lock


@pytest.fixture
def forest_batch(ccer_forest, make_batch):
    return make_batch(ccer_forest, 100)


@pytest.fixture
def electricity_2024(hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", Decimal("100"), "MWh", **MARCH_2024)


def add_certificates(**overrides):
    arguments = {
        "scheme": CertificateScheme.GEC,
        "registry": "China GEC",
        "technology": Technology.WIND,
        **gec_codes(1, 10),
        "mwh": Decimal("10"),
        "facility": None,
        "reporting_year": 2024,
        **overrides,
    }
    return services.add_energy_certificates(**arguments)


def planting(**overrides) -> TreePlanting:
    values = {
        "name": "Poplar belt",
        "area_ha": Decimal("20"),
        "species": "Poplar",
        "planting_year": 2021,
        "sequestration_t_per_year": Decimal("120"),
        "method": "20 ha × 6 t/ha/year.",
        **overrides,
    }
    return TreePlanting(**values)


# Services


def test_retiring_for_a_locked_year_is_refused_and_writes_nothing(
    forest_batch, retire, lock_2024, nothing_written
):
    lock_2024()
    with nothing_written(), pytest.raises(ValidationError) as refusal:
        retire(forest_batch, 10, claimed_year=2024)
    assert refusal.value.message_dict["claimed_year"][0].startswith(LOCKED_2024)


def test_retiring_for_an_open_year_still_works(forest_batch, retire, lock_2024):
    lock_2024()
    assert retire(forest_batch, 10, claimed_year=2025).claimed_year == 2025


def test_reversing_a_retirement_of_a_locked_year_is_refused_and_writes_nothing(
    forest_batch, retire, lock_2024, nothing_written
):
    retirement = retire(forest_batch, 10, claimed_year=2024)
    lock_2024()
    with nothing_written(), pytest.raises(ValidationError) as refusal:
        services.reverse_retirement(
            retirement=retirement,
            quantity_t=Decimal("5"),
            reversed_on=dt.date(2025, 4, 1),
            reason="Double-counted",
        )
    assert refusal.value.message_dict["retirement"][0].startswith(LOCKED_2024)


def test_certificates_for_a_locked_year_are_refused_and_write_nothing(
    electricity_2024, lock_2024, nothing_written
):
    lock_2024()
    with nothing_written(), pytest.raises(ValidationError) as refusal:
        add_certificates()
    assert refusal.value.message_dict["reporting_year"][0].startswith(LOCKED_2024)


def test_a_planting_that_counts_in_a_locked_year_does_not_validate(lock_2024):
    lock_2024()
    with pytest.raises(ValidationError) as refusal:
        planting(planting_year=2021).full_clean()
    assert refusal.value.message_dict["planting_year"][0].startswith(LOCKED_2024)
    planting(planting_year=2025).full_clean()  # counts only from 2025 on


def test_a_planting_cannot_be_moved_out_of_a_locked_year(lock_2024):
    tree = planting(planting_year=2021)
    tree.save()
    lock_2024()
    tree.planting_year = 2026
    with pytest.raises(ValidationError, match=LOCKED_2024):
        tree.full_clean()


# The admin


def test_the_retirement_add_form_shows_the_lock(admin_client, forest_batch, lock_2024):
    lock_2024()
    data = {
        "batch": forest_batch.pk,
        "quantity_t": "10",
        "retired_on": "2025-03-20",
        "claimed_year": "2024",
        "purpose": "neutrality",
        "registry_reference": "CCER-RET-2025-0320",
        "beneficiary_statement": "",
    }
    response = admin_client.post(reverse("admin:offsets_retirement_add"), data)
    assert response.status_code == 200
    assert LOCKED_2024 in response.content.decode()
    assert not Retirement.objects.exists()


def test_a_certificate_of_a_locked_year_cannot_be_deleted(
    admin_client, electricity_2024, lock_2024
):
    certificate = add_certificates()
    lock_2024()
    delete_url = reverse("admin:offsets_energycertificate_delete", args=[certificate.pk])
    response = admin_client.post(delete_url, {"post": "yes"}, follow=True)
    assert LOCKED_2024 in response.content.decode()
    data = {"action": "delete_selected", "_selected_action": [certificate.pk], "post": "yes"}
    changelist = reverse("admin:offsets_energycertificate_changelist")
    response = admin_client.post(changelist, data, follow=True)
    assert LOCKED_2024 in response.content.decode()
    assert EnergyCertificate.objects.filter(pk=certificate.pk).exists()
    assert not LogEntry.objects.exists()


def test_the_planting_forms_show_the_lock_and_deleting_is_refused(admin_client, lock_2024):
    tree = planting(planting_year=2021)
    tree.save()
    lock_2024()
    data = {
        "name": "Poplar belt",
        "facility": "",
        "location": "",
        "area_ha": "25",
        "species": "Poplar",
        "planting_year": "2021",
        "sequestration_t_per_year": "150",
        "method": "25 ha × 6 t/ha/year.",
    }
    change_url = reverse("admin:offsets_treeplanting_change", args=[tree.pk])
    response = admin_client.post(change_url, data)
    assert LOCKED_2024 in response.content.decode()
    delete_url = reverse("admin:offsets_treeplanting_delete", args=[tree.pk])
    response = admin_client.post(delete_url, {"post": "yes"}, follow=True)
    assert LOCKED_2024 in response.content.decode()
    tree.refresh_from_db()
    assert tree.area_ha == Decimal("20")
