"""A trial's first hour on the demo: two logins, sample evidence, the template, an approval."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from emissions.activities.models import ActivityRecord, ImportBatch
from emissions.evidence.demo import DEMO_FILES, load_demo_evidence
from emissions.evidence.models import EvidenceFile
from emissions.facilities import periods
from emissions.planning.completeness import completeness
from emissions.planning.models import ExpectedStream
from emissions.roles.definitions import APPROVER

pytestmark = pytest.mark.django_db

ADMIN = ("admin", "kehui-demo-2026")
APPROVER_LOGIN = ("approver", "kehui-approve-2026")


@pytest.fixture
def logins(settings, capsys):
    """What `make run` prints: the demo logins, made before the demo data."""
    settings.DEBUG = True
    call_command("create_demo_superuser", url="http://127.0.0.1:8001")
    return capsys.readouterr().out


@pytest.fixture
def demo(logins, capsys):
    call_command("load_demo")
    return capsys.readouterr()


def logged_in(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    return client


# The logins.


def test_both_logins_are_printed_with_the_address_asked_for(logins, django_user_model):
    assert "Demo logins for http://127.0.0.1:8001" in logins
    assert "administrator  user: admin     password: kehui-demo-2026" in logins
    assert "approver       user: approver  password: kehui-approve-2026" in logins
    assert "Import as admin, then approve as approver" in logins
    approver = django_user_model.objects.get(username="approver")
    assert approver.check_password("kehui-approve-2026")
    assert (approver.is_superuser, approver.is_staff) == (False, True)
    assert list(approver.groups.values_list("name", flat=True)) == [APPROVER]
    assert approver.has_perm("activities.approve_activityrecord")
    assert not approver.has_perm("activities.add_activityrecord")


def test_running_it_again_prints_the_same_logins_and_creates_nobody(
    logins, capsys, django_user_model
):
    call_command("create_demo_superuser", url="http://127.0.0.1:8001")
    assert capsys.readouterr().out == logins
    assert django_user_model.objects.count() == 2


def test_no_demo_logins_where_a_real_superuser_exists(settings, capsys, django_user_model):
    settings.DEBUG = True
    django_user_model.objects.create_superuser("boss", password="a-real-password-123")
    call_command("create_demo_superuser")
    out = capsys.readouterr().out
    assert "A superuser already exists; no demo login was created." in out
    assert "password" not in out
    assert not django_user_model.objects.filter(username__in=["admin", "approver"]).exists()


def test_a_user_already_named_approver_is_left_alone(settings, capsys, django_user_model):
    settings.DEBUG = True
    someone = django_user_model.objects.create_user("approver", password="their-own-pass-123")
    call_command("create_demo_superuser")
    out = capsys.readouterr().out
    assert "A user named 'approver' already exists; no demo approver was created." in out
    assert "user: admin" in out and "kehui-approve-2026" not in out
    someone.refresh_from_db()
    assert someone.check_password("their-own-pass-123")
    assert not someone.groups.exists()


def test_without_the_approver_role_it_says_how_to_restore_it(settings, capsys, django_user_model):
    settings.DEBUG = True
    Group.objects.filter(name=APPROVER).delete()
    call_command("create_demo_superuser")
    captured = capsys.readouterr()
    assert "run 'python manage.py sync_roles'" in captured.err
    assert "user: admin" in captured.out
    assert not django_user_model.objects.filter(username="approver").exists()


# Sample evidence.


def test_the_demo_attaches_a_bill_and_a_meter_photo_as_uploads_would_be(demo, django_user_model):
    assert "Demo evidence files: 2 attached, 0 already present." in demo.out
    files = {evidence.original_name: evidence for evidence in EvidenceFile.objects.all()}
    bill = files["electricity-bill-XT-01-2025-12.pdf"]
    photo = files["gas-meter-XT-01-2025-12.png"]
    assert (bill.content_type, photo.content_type) == ("application/pdf", "image/png")
    assert (bill.record.facility.code, bill.record.activity_type.code) == (
        "XT-01",
        "grid_electricity",
    )
    assert photo.record.activity_type.code == "natural_gas_stationary"
    assert bill.record.period_start == photo.record.period_start == dt.date(2025, 12, 1)
    admin = django_user_model.objects.get(username="admin")
    for name, evidence in files.items():
        content = (DEMO_FILES / name).read_bytes()
        assert len(content) < 30 * 1024
        assert evidence.uploaded_by == admin
        assert evidence.size == len(content)
        assert evidence.sha256 == hashlib.sha256(content).hexdigest()
        with evidence.file.open("rb") as stored:
            assert stored.read() == content
        # Stored under a random name, as every upload (evidence/models.py).
        assert name not in evidence.file.name


def test_the_record_page_offers_the_demo_files(demo, client, django_user_model):
    bill = EvidenceFile.objects.get(content_type="application/pdf")
    logged_in(client, django_user_model, "approver")
    html = client.get(reverse("dashboard:record_detail", args=[bill.record_id])).content.decode()
    assert "electricity-bill-XT-01-2025-12.pdf" in html
    assert reverse("dashboard:evidence_download", args=[bill.pk]) in html
    response = client.get(reverse("dashboard:evidence_download", args=[bill.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_loading_the_demo_again_attaches_nothing_twice(demo, capsys):
    call_command("load_demo")
    assert "Demo evidence files: 0 attached, 2 already present." in capsys.readouterr().out
    assert EvidenceFile.objects.count() == 2


def test_without_a_superuser_the_evidence_waits_and_says_so(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Demo evidence files and expected streams: not made, no superuser yet" in out
    assert not EvidenceFile.objects.exists()
    assert not ExpectedStream.objects.exists()


def test_the_demo_expects_monthly_energy_owed_by_its_administrator(demo):
    streams = ExpectedStream.objects.select_related("facility", "activity_type", "owner")
    assert sorted((s.facility.code, s.activity_type.code, s.frequency) for s in streams) == [
        ("XT-01", "grid_electricity", "monthly"),
        ("XT-01", "natural_gas_stationary", "monthly"),
        ("XT-01", "waste_landfill", "yearly"),
        ("XT-02", "grid_electricity", "monthly"),
        ("XT-02", "natural_gas_stationary", "monthly"),
    ]
    assert {s.owner.username for s in streams} == {"admin"}
    # The demo's records are loaded (no review dates): its months through 2025 are received.
    assert completeness(2025).share_pct == Decimal("100.0")


def test_a_locked_year_keeps_its_evidence_out_and_says_why(demo, django_user_model):
    EvidenceFile.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    periods.lock_year(year=2025, user=admin)
    result = load_demo_evidence(user=admin)
    assert (result.attached, result.kept) == (0, 0)
    assert len(result.skipped) == 2
    assert all("2025" in reason for reason in result.skipped)
    assert not EvidenceFile.objects.exists()


# The template's example, imported as the admin and approved by the approver.


def test_the_template_imports_on_the_demo_and_the_approver_approves_it(
    demo, client, django_user_model
):
    admin_client = logged_in(client, django_user_model, "admin")
    template = admin_client.get(reverse("dashboard:import_template")).content
    assert b"\r\nXT-01,grid_electricity,2024-01-01," in template  # open, and a factory
    assert b"SH-OF,grid_electricity" not in template  # closed in 2024
    upload = SimpleUploadedFile("kehui-import-template.csv", template, content_type="text/csv")
    page = admin_client.post(reverse("dashboard:import"), {"file": upload}, follow=True)
    html = page.content.decode()
    assert "2 rows read: 2 valid" in html and "problems: 0." in html
    assert "check it before committing" not in html and "check them before" not in html
    batch = ImportBatch.objects.get()
    page = admin_client.post(
        reverse("dashboard:import_commit", args=[batch.pk]), {"sha256": batch.sha256}, follow=True
    )
    html = page.content.decode()
    assert "2 records imported." in html
    assert f'href="{reverse("dashboard:ledger")}?batch={batch.pk}&amp;review=all"' in html

    # The admin imported them: maker-checker keeps the admin from approving them.
    response = admin_client.post(reverse("dashboard:import_approve", args=[batch.pk]), follow=True)
    assert "someone else must review them" in response.content.decode()
    records = ActivityRecord.objects.filter(import_batch=batch)
    assert set(records.values_list("status", flat=True)) == {"submitted"}

    approver_client = logged_in(client, django_user_model, "approver")
    inbox = approver_client.get(reverse("dashboard:approvals")).content.decode()
    assert "kehui-import-template.csv</a>" in inbox
    response = approver_client.post(
        reverse("dashboard:approvals_review"),
        {"records": list(records.values_list("pk", flat=True)), "action": "approve"},
        follow=True,
    )
    assert "Approved 2 records." in response.content.decode()
    assert set(records.values_list("status", "reviewed_by__username")) == {("approved", "approver")}
