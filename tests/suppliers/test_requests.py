"""A data request's life: sent by link, opened, answered, reviewed, revoked, expired — each
step once, whatever is clicked twice; each mail once, in the supplier's language."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emissions.activities.models import ActivityRecord
from emissions.factors.models import FactorBasis
from emissions.suppliers import services
from emissions.suppliers.models import (
    DataRequest,
    RequestStatus,
    Submission,
    SubmissionStatus,
    Supplier,
    SupplierProduct,
)
from tests.factories import user_in_roles

from .conftest import PURCHASE_2023, TONNES

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def approver(django_user_model):
    return user_in_roles(django_user_model, "approver", "Approver")


@pytest.fixture
def sent(coil, approver, organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_request(
            supplier=coil.supplier, year=2023, products=[coil], message="", user=approver
        )


def _token(sent) -> str:
    return sent.link.rstrip("/").rsplit("/", 1)[1]


def _footprint_answer(coil, value="1850"):
    prefix = f"p{coil.pk}-"
    return {
        "contact_name": "王经理",
        "notes": "",
        prefix + "kind": "footprint",
        prefix + "kg_co2e_per_unit": value,
        prefix + "boundary": "cradle_to_gate",
        prefix + "method": "gbt_24067",
        prefix + "verification": "third_party",
        prefix + "verifier": "中国质量认证中心",
    }


def test_the_request_mail_is_in_the_suppliers_language_with_the_link(sent):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carbon@steel.example.cn"]
    assert "碳数据" in message.subject or "2023" in message.subject
    assert sent.link in message.body
    assert "热轧卷板" in message.body
    assert DataRequest.objects.get().mailed_at is not None


def test_a_second_request_for_the_same_year_is_refused_not_mailed(sent, coil, approver):
    with pytest.raises(Exception) as refused:
        services.send_request(
            supplier=coil.supplier, year=2023, products=[coil], message="", user=approver
        )
    assert "already open" in str(refused.value)
    assert DataRequest.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_mail_is_never_sent_twice(sent):
    assert services.mails.send_once(sent.request.pk, "mailed_at") is False
    assert len(mail.outbox) == 1


def test_the_link_opens_only_its_own_request(sent, client, coil, approver):
    other_supplier = Supplier.objects.create(
        name="Zhejiang Cartons Ltd", category="packaging", email="x@other.example"
    )
    other_product = SupplierProduct.objects.create(
        supplier=other_supplier, code="box", name="Carton X9", declared_unit="piece"
    )
    other = services.send_request(
        supplier=other_supplier, year=2023, products=[other_product], message="", user=approver
    )
    page = client.get(f"/supplier-data/{_token(sent)}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "热轧卷板" in html
    assert "Carton X9" not in html and "Zhejiang Cartons" not in html
    assert _token(other) != _token(sent)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature
        lambda token: "9" + token,  # another request's id, same signature
        lambda token: token.split(".")[0],  # no signature
        lambda token: "x" * 300,
    ],
)
def test_a_tampered_token_gets_the_invalid_link_page(sent, client, tamper):
    page = client.get(f"/supplier-data/{tamper(_token(sent))}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "This link is not valid" in page.content.decode()
    assert "热轧卷板" not in page.content.decode()


def test_opening_marks_the_request_opened_once(sent, client):
    client.get(f"/supplier-data/{_token(sent)}/")
    first = DataRequest.objects.get().opened_at
    client.get(f"/supplier-data/{_token(sent)}/")
    assert first is not None and DataRequest.objects.get().opened_at == first


def test_the_page_follows_the_browsers_language(sent, client):
    chinese = client.get(f"/supplier-data/{_token(sent)}/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh")
    assert chinese.content.decode().count('lang="zh-hans"') >= 1


def test_a_submission_in_chinese_with_a_pdf_then_acceptance_recalculates_purchases(
    sent, client, coil, approver, make_record, hebei_plant, django_capture_on_commit_callbacks
):
    purchase = make_record(hebei_plant, "purchased_steel", TONNES, "t", purchased_product=coil,
                           **PURCHASE_2023)  # fmt: skip
    assert purchase.factor.dataset.basis == FactorBasis.AVERAGE
    answer = _footprint_answer(coil) | {
        "files": SimpleUploadedFile("碳足迹报告.pdf", PDF, content_type="application/pdf")
    }
    response = client.post(f"/supplier-data/{_token(sent)}/", answer, HTTP_ACCEPT_LANGUAGE="zh")
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.files.get().original_name == "碳足迹报告.pdf"
    assert DataRequest.objects.get().status == RequestStatus.SUBMITTED
    # The link now says it is under review, and takes no second answer.
    again = client.post(f"/supplier-data/{_token(sent)}/", answer)
    assert Submission.objects.count() == 1
    assert again.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        factors = services.accept(submission, approver)
    assert [f.co2e_kg for f in factors] == [Decimal("1850")]
    purchase.refresh_from_db()
    assert purchase.factor == factors[0]
    assert purchase.co2e_kg == Decimal("185000.000000")
    assert Submission.objects.get().status == SubmissionStatus.ACCEPTED
    assert [m.subject for m in mail.outbox][-1].startswith(("感谢", "Thank"))
    with pytest.raises(Exception, match="already reviewed"):
        services.accept(submission, approver)


def test_each_missing_field_is_named(sent, client, coil):
    answer = _footprint_answer(coil)
    del answer[f"p{coil.pk}-boundary"]
    answer["contact_name"] = ""
    response = client.post(f"/supplier-data/{_token(sent)}/", answer, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Needed for a footprint." in html
    assert "This field is required." in html
    assert not Submission.objects.exists()


def test_a_file_that_is_not_what_its_name_says_is_refused(sent, client, coil):
    answer = _footprint_answer(coil) | {
        "files": SimpleUploadedFile("report.pdf", b"MZ not a pdf", content_type="application/pdf")
    }
    response = client.post(f"/supplier-data/{_token(sent)}/", answer, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "its content is not a PDF" in response.content.decode()
    assert not Submission.objects.exists()


def test_energy_data_become_a_supplier_intensity(sent, client, coil, approver):
    prefix = f"p{coil.pk}-"
    answer = {
        "contact_name": "Wang",
        prefix + "kind": "energy",
        prefix + "electricity_kwh": "12000000",
        prefix + "coal_t": "5000",
        prefix + "output_quantity": "10000",
    }
    assert client.post(f"/supplier-data/{_token(sent)}/", answer).status_code == 302
    (factor,) = services.accept(Submission.objects.get(), approver)
    assert factor.dataset.basis == FactorBasis.SUPPLIER_COMPANY
    assert factor.co2_kg == Decimal("1857.060000000000")


def test_asking_again_mails_the_message_and_reopens_the_link(
    sent, client, coil, approver, django_capture_on_commit_callbacks
):
    client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_again(Submission.objects.get(), approver, "请提供2023年的数据。")
    assert "请提供2023年的数据。" in mail.outbox[-1].body
    page = client.get(f"/supplier-data/{_token(sent)}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "请提供2023年的数据。" in page.content.decode()
    assert (
        client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil, "1700")).status_code
        == 302
    )
    assert Submission.objects.count() == 2


def test_asking_again_needs_a_message(sent, client, coil, approver):
    client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    with pytest.raises(Exception, match="should change"):
        services.ask_again(Submission.objects.get(), approver, "  ")


def test_a_revoked_link_gets_a_clear_page(sent, client, approver):
    services.revoke(sent.request, approver)
    page = client.get(f"/supplier-data/{_token(sent)}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert "withdrew this request" in page.content.decode()


def test_an_expired_link_gets_a_clear_page_and_takes_nothing(sent, client, coil):
    DataRequest.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    page = client.get(f"/supplier-data/{_token(sent)}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert "expired on" in page.content.decode()
    client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    assert not Submission.objects.exists()


def test_a_reminder_goes_once_before_expiry(sent, settings):
    assert services.remind_due() == 0  # 30 days left
    DataRequest.objects.update(expires_at=timezone.now() + dt.timedelta(days=3))
    assert services.remind_due() == 1
    assert services.remind_due() == 0
    assert len(mail.outbox) == 2
    assert re.search(r"/supplier-data/\S+/", mail.outbox[-1].body)


def test_the_form_is_rate_limited(sent, client, coil):
    for _ in range(services.MAX_POSTS_PER_HOUR):
        client.post(f"/supplier-data/{_token(sent)}/", {"contact_name": ""})
    response = client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    assert response.status_code == 429
    assert not Submission.objects.exists()


def test_the_form_is_csrf_protected(sent, coil):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_every_submission_keeps_its_history(sent, client, coil, approver):
    client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil))
    services.ask_again(Submission.objects.get(), approver, "请补充核查报告。")
    client.post(f"/supplier-data/{_token(sent)}/", _footprint_answer(coil, "1800"))
    second = Submission.objects.get(status="to_review")
    services.accept(second, approver)
    history = Submission.history.order_by("history_id").values_list("id", "status")
    first = Submission.objects.get(status="returned").pk
    assert [status for pk, status in history if pk == first] == ["to_review", "returned"]
    assert [status for pk, status in history if pk == second.pk] == ["to_review", "accepted"]
    reasons = Submission.history.filter(id=first).values_list("history_change_reason", flat=True)
    assert "returned by approver" in list(reasons)
    assert ActivityRecord.objects.count() == 0


def test_the_reminder_command_reminds_each_request_once(sent):
    from io import StringIO

    from django.core.management import call_command

    DataRequest.objects.update(expires_at=timezone.now() + dt.timedelta(days=2))
    out = StringIO()
    call_command("remind_suppliers", stdout=out)
    call_command("remind_suppliers", stdout=out)
    assert out.getvalue().splitlines() == ["Reminders sent: 1", "Reminders sent: 0"]
    assert len(mail.outbox) == 2


def test_a_file_over_the_limit_is_stopped_and_named(sent, client, coil, settings):
    from emissions.evidence import files as evidence_files

    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-" + b"0" * evidence_files.MAX_BYTES, content_type="application/pdf"
    )
    answer = _footprint_answer(coil) | {"files": big}
    response = client.post(f"/supplier-data/{_token(sent)}/", answer, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "A file is larger than 10 MB." in response.content.decode()
    assert not Submission.objects.exists()


def test_a_footprint_of_an_earlier_year_is_kept_with_its_year(
    sent, client, coil, approver, make_record, hebei_plant
):
    answer = _footprint_answer(coil) | {f"p{coil.pk}-data_year": "2021"}
    assert client.post(f"/supplier-data/{_token(sent)}/", answer).status_code == 302
    (factor,) = services.accept(Submission.objects.get(), approver)
    assert factor.year == 2021
    purchase = make_record(hebei_plant, "purchased_steel", TONNES, "t", purchased_product=coil,
                           **PURCHASE_2023)  # fmt: skip
    assert (purchase.factor, purchase.factor_year_match) == (factor, "lagged")


def test_a_footprint_of_a_later_year_than_asked_is_refused(sent, client, coil):
    answer = _footprint_answer(coil) | {f"p{coil.pk}-data_year": "2024"}
    response = client.post(f"/supplier-data/{_token(sent)}/", answer, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "A footprint of 2024 cannot describe the data of 2023." in response.content.decode()
    assert not Submission.objects.exists()


def test_a_mail_server_that_refuses_leaves_the_request_and_says_so(
    coil, approver, client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from emissions.suppliers import mails

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(mails, "send_mail", refuse)
    client.force_login(approver)
    data = {"supplier": coil.supplier.pk, "year": 2023, "products": [coil.pk], "days": 30}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/suppliers/requests/new/", data, follow=True)
    html = response.content.decode()
    assert "could not be sent" in html and "/supplier-data/" in html
    request = DataRequest.objects.get()
    assert request.mailed_at is None
    monkeypatch.undo()
    assert services.remind_due() == 1  # the request mail, retried
    assert DataRequest.objects.get().mailed_at is not None
    assert len(mail.outbox) == 1
