"""After an import is committed: "View in ledger" first, rolling back second and confirmed."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.models import ActivityRecord, ReviewStatus

pytestmark = pytest.mark.django_db

HEADER = b"facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
ROWS = (
    b"XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    b"XT-01,grid_electricity,2023-04-01,2023-04-30,1100,kWh,metered\n"
)
LEDGER = reverse("dashboard:ledger")


@pytest.fixture
def importer(django_user_model):
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["add_activityrecord", "delete_activityrecord", "view_activityrecord"],
        )
    )
    return user


@pytest.fixture
def batch(importer, organisation, hebei_plant):
    batch = imports.start_import(user=importer, file_name="meters.csv", content=HEADER + ROWS)
    imports.commit_import(batch=batch, user=importer, sha=batch.sha256)
    return batch


@pytest.fixture
def other_record(make_record, hebei_plant):
    """A record entered by hand, in no import."""
    return make_record(hebei_plant, "grid_electricity", "5000", "kWh")


def batch_page(client, batch) -> str:
    return client.get(reverse("dashboard:import_batch", args=[batch.pk])).content.decode()


def test_the_main_action_after_a_commit_is_view_in_ledger(client, importer, batch):
    client.force_login(importer)
    html = batch_page(client, batch)
    ledger_link = (
        f'<a class="button-primary" href="{LEDGER}?batch={batch.pk}&amp;review=all">'
        "View in ledger</a>"
    )
    assert ledger_link in html
    # Rolling back is still there, but secondary, folded away and to be confirmed.
    result = html.split('id="result-heading"')[1]
    assert result.index("View in ledger") < result.index("Roll back this import…")
    rollback = result.split('<details class="import-rollback">')[1].split("</details>")[0]
    assert "<summary>Roll back this import…</summary>" in rollback
    assert '<input type="checkbox" name="confirm" required>' in rollback
    assert "Yes, delete all 2 records of this import" in rollback
    assert '<button type="submit" class="button-secondary">Roll back this import</button>' in (
        rollback
    )
    assert "button-primary" not in rollback


def test_a_previewed_import_has_no_ledger_link_yet(client, importer, organisation, hebei_plant):
    batch = imports.start_import(user=importer, file_name="meters.csv", content=HEADER + ROWS)
    client.force_login(importer)
    html = batch_page(client, batch)
    assert "View in ledger" not in html
    assert "Import 2 records" in html


def test_a_rolled_back_import_has_no_ledger_link(client, importer, batch):
    client.force_login(importer)
    client.post(reverse("dashboard:import_rollback", args=[batch.pk]))
    html = batch_page(client, batch)
    assert "0 records of this import are in the ledger." in html
    assert "View in ledger" not in html and "Roll back this import" not in html


def test_the_ledger_link_shows_exactly_the_import_s_records(client, importer, batch, other_record):
    ActivityRecord.objects.filter(import_batch=batch, period_start__month=4).update(
        status=ReviewStatus.REJECTED, rejection_reason="Wrong meter"
    )
    client.force_login(importer)
    html = client.get(LEDGER, {"batch": batch.pk, "review": "all"}).content.decode()
    assert "2 records, " in html  # the rejected one too, none from outside the import
    assert f'href="{reverse("dashboard:import_batch", args=[batch.pk])}"' in html
    assert f"Only the records of import {batch.pk} are shown" in html
    # The filter stays on while the others change (a hidden field), and in the downloads.
    assert f'<input type="hidden" name="batch" value="{batch.pk}"' in html
    assert f"export.csv?review=all&amp;batch={batch.pk}" in html
    everything = client.get(LEDGER, {"review": "all"}).content.decode()
    assert "3 records, " in everything
    assert "Only the records of import" not in everything


def test_the_batch_filter_exports_the_import_s_records_only(client, importer, batch, other_record):
    client.force_login(importer)
    response = client.get(
        reverse("dashboard:ledger_export", args=["csv"]), {"batch": batch.pk, "review": "all"}
    )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 2


@pytest.mark.parametrize("value", ["abc", "0", "-3", "9" * 30])
def test_an_invalid_batch_is_ignored_with_a_message(client, importer, batch, value):
    client.force_login(importer)
    html = client.get(LEDGER, {"batch": value}).content.decode()
    assert f"Ignored Import “{value}”:" in html
    assert "2 records, " in html


def test_a_batch_that_does_not_exist_shows_no_records(client, importer, batch):
    client.force_login(importer)
    html = client.get(LEDGER, {"batch": 999999}).content.decode()
    assert "0 records, " in html


def test_the_batch_filter_costs_the_ledger_no_extra_query(client, importer, batch):
    client.force_login(importer)
    client.get(LEDGER)  # the session and permissions are cached alike for both
    with CaptureQueriesContext(connection) as plain:
        client.get(LEDGER, {"review": "all"})
    with CaptureQueriesContext(connection) as filtered:
        client.get(LEDGER, {"review": "all", "batch": batch.pk})
    assert len(filtered) == len(plain)
