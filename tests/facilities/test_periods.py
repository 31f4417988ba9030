"""Locking and unlocking reporting years, and the questions other apps ask (periods.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from emissions.facilities import periods
from emissions.facilities.models import ReportingYearLock

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(django_user_model):
    return django_user_model.objects.create_user("mei.lin", password="approver-pass-123")


@pytest.fixture
def administrator(django_user_model):
    return django_user_model.objects.create_user("wang.admin", password="admin-pass-123")


def lock_2023(approver, note="verified by SGS") -> ReportingYearLock:
    lock = periods.lock_year(year=2023, user=approver, note=note)
    # A fixed day, for the message.
    locked_at = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0))
    ReportingYearLock.objects.filter(pk=lock.pk).update(locked_at=locked_at)
    return ReportingYearLock.objects.get(pk=lock.pk)


def test_locking_a_year_records_who_when_and_the_note(approver):
    lock = periods.lock_year(year=2023, user=approver, note="  verified by SGS  ")
    assert lock.year == 2023
    assert lock.locked_by == approver
    assert lock.note == "verified by SGS"
    assert lock.unlocked_at is None
    assert lock.history.get().history_user == approver


def test_a_locked_year_is_named_by_the_questions_other_apps_ask(approver):
    lock_2023(approver)
    assert periods.lock_for(2023).locked_by == approver
    assert periods.lock_for(2024) is None
    assert set(periods.locks_by_year()) == {2023}


def test_assert_open_names_the_year_when_and_who(approver):
    lock_2023(approver)
    with pytest.raises(ValidationError) as refusal:
        periods.assert_open(2022, 2023)
    assert refusal.value.messages == [
        "Reporting year 2023 is locked since 2026-03-01 by mei.lin (verified); an administrator "
        "must unlock it before it can change."
    ]


def test_assert_open_can_key_the_error_by_a_field(approver):
    lock_2023(approver)
    with pytest.raises(ValidationError) as refusal:
        periods.assert_open(2023, field="claimed_year")
    assert list(refusal.value.message_dict) == ["claimed_year"]


def test_assert_open_lets_open_years_and_none_pass(approver, django_assert_num_queries):
    lock_2023(approver)
    periods.assert_open(2022, 2024, None)
    with django_assert_num_queries(0):
        periods.assert_open(None)


def test_assert_open_from_refuses_a_change_that_counts_in_a_later_locked_year(approver):
    lock_2023(approver)
    with pytest.raises(ValidationError, match="Reporting year 2023 is locked"):
        periods.assert_open_from(2021)
    periods.assert_open_from(2024)


def test_a_year_cannot_be_locked_twice(approver, administrator):
    lock_2023(approver)
    with pytest.raises(ValidationError) as refusal:
        periods.lock_year(year=2023, user=administrator, note="again")
    assert refusal.value.messages == [
        "Reporting year 2023 is already locked (since 2026-03-01 by mei.lin)."
    ]
    assert ReportingYearLock.objects.count() == 1


def test_unlocking_needs_a_reason_and_writes_nothing_without_one(approver, administrator):
    lock_2023(approver)
    for reason in ["", "   ", None]:
        with pytest.raises(ValidationError) as refusal:
            periods.unlock_year(year=2023, user=administrator, reason=reason)
        assert refusal.value.message_dict == {
            "reason": ["Say why the year is unlocked: the reason is kept with the lock."]
        }
    assert periods.lock_for(2023) is not None


def test_an_open_year_cannot_be_unlocked(administrator):
    with pytest.raises(ValidationError) as refusal:
        periods.unlock_year(year=2023, user=administrator, reason="restatement")
    assert refusal.value.messages == ["Reporting year 2023 is not locked."]


def test_unlocking_keeps_the_lock_with_who_when_and_why(approver, administrator):
    lock = lock_2023(approver)
    periods.unlock_year(year=2023, user=administrator, reason=" Supplier restated March bills ")
    lock.refresh_from_db()
    assert lock.unlocked_by == administrator
    assert lock.unlocked_at is not None
    assert lock.unlock_reason == "Supplier restated March bills"
    assert periods.lock_for(2023) is None
    assert lock.history.order_by("history_date").last().history_user == administrator
    periods.assert_open(2023)


def test_a_year_can_be_locked_again_after_unlocking(approver, administrator):
    lock_2023(approver)
    periods.unlock_year(year=2023, user=administrator, reason="restatement")
    periods.lock_year(year=2023, user=approver, note="verified again")
    assert ReportingYearLock.objects.filter(year=2023).count() == 2
    assert periods.lock_for(2023).note == "verified again"


def test_the_database_allows_one_lock_in_force_per_year(approver):
    lock_2023(approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingYearLock.objects.create(year=2023, locked_at=timezone.now(), locked_by=approver)


def test_the_database_refuses_an_unlock_without_a_reason(approver, administrator):
    lock = lock_2023(approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingYearLock.objects.filter(pk=lock.pk).update(
            unlocked_at=timezone.now(), unlocked_by=administrator
        )


def test_locking_and_unlocking_have_their_own_permissions():
    codenames = set(
        Permission.objects.filter(content_type__app_label="facilities").values_list(
            "codename", flat=True
        )
    )
    assert {"lock_reporting_year", "unlock_reporting_year"} <= codenames
    # Locks are never added, changed or deleted as plain rows.
    assert "add_reportingyearlock" not in codenames
    assert "delete_reportingyearlock" not in codenames


def test_the_lock_log_is_read_only_in_the_admin(admin_client, approver):
    lock = lock_2023(approver)
    changelist = admin_client.get("/admin/facilities/reportingyearlock/")
    assert changelist.status_code == 200
    assert "mei.lin" in changelist.content.decode()
    assert admin_client.get("/admin/facilities/reportingyearlock/add/").status_code == 403
    page = admin_client.get(f"/admin/facilities/reportingyearlock/{lock.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    delete = admin_client.post(
        f"/admin/facilities/reportingyearlock/{lock.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert ReportingYearLock.objects.filter(pk=lock.pk).exists()
