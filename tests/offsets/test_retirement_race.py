"""A registry retirement reference is recorded once per registry: a double submission of the
retire form (two clicks, two tabs) retires nothing the second time, whichever form sent it.

The race itself needs PostgreSQL (row locks, a unique index that makes the second insert wait
for the first); the same rules without the race run on both databases.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from emissions.offsets import services
from emissions.offsets.forms import RetirementForm
from emissions.offsets.models import (
    CreditBatch,
    CreditKind,
    CreditProject,
    CreditStandard,
    ProjectType,
    Retirement,
)
from emissions.offsets.services import credits

TIMEOUT = 30
REFERENCE = "RACE-SAME"
DUPLICATE = (
    "Registry reference “RACE-SAME” is already recorded for a retirement on "
    "CCER (China Certified Emission Reduction): a retirement is recorded once (was the form "
    "sent twice?)."
)


def make_project(registry_project_id="CCER-14-001", standard=CreditStandard.CCER):
    return CreditProject.objects.create(
        name=f"Project {registry_project_id}",
        standard=standard,
        registry_project_id=registry_project_id,
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
    )


def add_batch(project, first=1, last=100):
    return services.add_credit_batch(
        project=project,
        vintage_year=2023,
        quantity_t=Decimal(last - first + 1),
        serial_first=first,
        serial_last=last,
        purchased_on=dt.date(2024, 1, 15),
    )


def retire_10(batch, reference=REFERENCE):
    return services.retire_credits(
        batch=batch,
        quantity_t=Decimal("10"),
        retired_on=dt.date(2025, 3, 20),
        claimed_year=2024,
        registry_reference=reference,
    )


def admin_post(batch):
    """The admin's retirement add form, as submitted."""
    return {
        "batch": batch.pk,
        "quantity_t": "10",
        "retired_on": "2025-03-20",
        "claimed_year": "2024",
        "purpose": "neutrality",
        "registry_reference": REFERENCE,
        "beneficiary_statement": "",
    }


def retired_t(batch) -> Decimal:
    return sum(batch.retirements.values_list("quantity_t", flat=True), Decimal(0))


# Two submissions at once (PostgreSQL)


def submit_at_once(monkeypatch, *batches):
    """Submit the admin's retirement form for each batch, each in its own thread; return the
    bound forms once all are done."""
    # Every submission has passed the form's checks and is inside the service's transaction
    # before any goes on: none can have seen another's retirement.
    barrier = threading.Barrier(len(batches), timeout=TIMEOUT)
    assert_open = credits.periods.assert_open

    def all_at_once(*args, **kwargs):
        assert_open(*args, **kwargs)
        barrier.wait()

    monkeypatch.setattr(credits.periods, "assert_open", all_at_once)
    forms = [RetirementForm(data=admin_post(batch)) for batch in batches]

    def submit(form):
        try:
            form.is_valid()
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a submission is still waiting (deadlock?)"
    return forms


def on_postgresql(test):
    """Threads with their own connections, committing for real; the flush afterwards spares
    the tables of other apps (the factor library loaded once per session)."""
    test = pytest.mark.django_db(transaction=True, available_apps=["emissions.offsets"])(test)
    reason = "row locks and a waiting unique index need PostgreSQL"
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=reason)(test)


@on_postgresql
def test_the_same_retirement_submitted_twice_at_once_is_recorded_once(monkeypatch):
    batch = add_batch(make_project())

    forms = submit_at_once(monkeypatch, batch, batch)

    assert sorted(form.errors.get("registry_reference", []) for form in forms) == [
        [],
        [DUPLICATE],
    ]
    assert Retirement.objects.count() == 1
    assert retired_t(batch) == Decimal("10")


@on_postgresql
def test_one_reference_submitted_at_once_for_two_batches_of_a_registry_is_recorded_once(
    monkeypatch,
):
    # Each submission locks its own batch: the unique constraint decides.
    forest, wind = add_batch(make_project()), add_batch(make_project("CCER-01-002"), 101, 200)

    forms = submit_at_once(monkeypatch, forest, wind)

    assert sorted(form.errors.get("registry_reference", []) for form in forms) == [
        [],
        [DUPLICATE],
    ]
    assert Retirement.objects.count() == 1


# The rule, one submission after the other (both databases)


@pytest.mark.django_db
def test_the_service_refuses_a_reference_already_recorded_in_the_registry_and_writes_nothing(
    nothing_written,
):
    project = make_project()
    retire_10(add_batch(project))
    other_batch = add_batch(make_project("CCER-01-002"), 101, 200)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire_10(other_batch)

    assert caught.value.message_dict == {"registry_reference": [DUPLICATE]}


@pytest.mark.django_db
def test_the_same_reference_may_be_recorded_in_another_registry():
    retire_10(add_batch(make_project()))
    vcs_batch = add_batch(make_project("VCS-2417", CreditStandard.VCS))

    retirement = retire_10(vcs_batch)

    assert (retirement.registry, retirement.registry_reference) == ("vcs", REFERENCE)
    assert Retirement.objects.filter(registry_reference=REFERENCE).count() == 2


@pytest.mark.django_db
def test_a_retirement_stores_its_batchs_registry_however_it_is_created():
    batch = add_batch(make_project("VCS-2417", CreditStandard.VCS))

    retirement = Retirement.objects.create(
        batch=CreditBatch.objects.get(pk=batch.pk),
        quantity_t=Decimal("1"),
        retired_on=dt.date(2025, 3, 20),
        claimed_year=2024,
        registry_reference="R-1",
    )

    assert Retirement.objects.get(pk=retirement.pk).registry == "vcs"


@pytest.mark.django_db
def test_the_admin_add_form_sent_twice_shows_the_reference_and_retires_once(admin_client):
    batch = add_batch(make_project())
    url = reverse("admin:offsets_retirement_add")

    first = admin_client.post(url, admin_post(batch))
    second = admin_client.post(url, admin_post(batch))

    assert first.status_code == 302
    assert second.status_code == 200  # the form again, with the message
    assert escape(DUPLICATE) in second.content.decode()
    assert retired_t(batch) == Decimal("10")


@pytest.mark.django_db
def test_the_dashboard_retire_form_sent_twice_shows_the_reference_and_retires_once(
    client, django_user_model, organisation
):
    approver = django_user_model.objects.create_user("approver", password="x")
    approver.groups.add(Group.objects.get(name="Approver"))
    client.force_login(approver)
    batch = add_batch(make_project())
    post = {
        "batch": batch.pk,
        "quantity_t": "10",
        "claimed_year": "2024",
        "retired_on": "2025-03-20",
        "registry_reference": REFERENCE,
        "beneficiary_statement": "",
    }
    url = reverse("dashboard:offsets_retire")

    first = client.post(url, post)
    second = client.post(url, post)

    assert first.status_code == 302
    assert second.status_code == 400
    assert escape(DUPLICATE) in second.content.decode()
    assert retired_t(batch) == Decimal("10")


@pytest.mark.django_db
def test_a_projects_registry_cannot_be_changed_in_the_admin_once_it_has_credits(admin_client):
    project = make_project()
    url = reverse("admin:offsets_creditproject_change", args=[project.pk])
    assert 'name="standard"' in admin_client.get(url).content.decode()
    add_batch(project)

    assert 'name="standard"' not in admin_client.get(url).content.decode()
