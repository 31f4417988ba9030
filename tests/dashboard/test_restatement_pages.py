"""The restatement pages: load a factor dataset, read its preview, apply or discard it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.factors.models import EmissionFactor
from emissions.neutrality.models import Restatement, RestatementStatus
from tests.factories import make_record, metered, user_in_roles
from tests.neutrality.test_restatements import HEBEI_2024, csv_file

pytestmark = pytest.mark.django_db

LIST = reverse("dashboard:restatements")
LOAD = reverse("dashboard:restatement_load")


def detail(restatement, name="dashboard:restatement") -> str:
    return reverse(name, args=[restatement.pk])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(organisation, hebei_plant):
    organisation.base_year = 2024
    organisation.save()
    return [
        make_record(hebei_plant, "grid_electricity", Decimal(kwh), "kWh", **metered(year))
        for kwh, year in (("100000", 2023), ("200000", 2024), ("50000", 2025))
    ]


@pytest.fixture
def administrator(django_user_model):
    return user_in_roles(django_user_model, "admin-user", "Administrator")


@pytest.fixture
def approver(django_user_model):
    return user_in_roles(django_user_model, "approver-user", "Approver")


@pytest.fixture
def viewer(django_user_model):
    return user_in_roles(django_user_model, "viewer-user", "Viewer", staff=False)


def upload(client, content: bytes, name="mee-nbs-2024.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(LOAD, {"file": SimpleUploadedFile(name, content, "text/csv")})


@pytest.fixture
def previewed(records, administrator) -> Restatement:
    response = upload(client_for(administrator), csv_file(HEBEI_2024))
    restatement = Restatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(restatement)
    return restatement


def test_loading_a_file_leads_to_its_preview(records, administrator):
    client = client_for(administrator)
    response = upload(client, csv_file(HEBEI_2024), name="mee-nbs-2024.csv")
    previewed = Restatement.objects.get()
    assert response["Location"] == detail(previewed)
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 new factor loaded by admin-user" in html
    assert "1 factors were added to the library. No record has changed" in html
    assert "2 records would move to the new factors." in html
    # 2024: 200,000 kWh × (0.6200 − 0.6516) = −6,320 kg of 130,320 kg recorded (−4.85 %).
    assert '<td class="num">130.320</td><td class="num">-6.320</td>' in html
    assert "−4.85 %" in html
    assert "Not significant: the base year 2024 changes from 130.320 t to 124.000 t" in html
    assert "grid_electricity_cn_he_2023</td><td>grid_electricity_cn_he_2024" in html
    # An administrator holds every permission: they may decide.
    assert "Apply the restatement" in html


def test_a_viewer_reads_the_preview_but_cannot_decide(previewed, viewer):
    client = client_for(viewer)
    html = client.get(detail(previewed)).content.decode()
    assert "2 records would move" in html
    assert "Apply the restatement" not in html and ">Discard<" not in html
    assert client.post(detail(previewed, "dashboard:restatement_apply")).status_code == 403
    assert client.post(detail(previewed, "dashboard:restatement_discard")).status_code == 403
    assert client.get(LOAD).status_code == 403
    previewed.refresh_from_db()
    assert previewed.status == RestatementStatus.PREVIEW


def test_an_approver_applies_it_and_the_figures_change(previewed, approver, records):
    client = client_for(approver)
    response = client.post(detail(previewed, "dashboard:restatement_apply"))
    assert response.status_code == 302
    html = client.get(detail(previewed)).content.decode()
    assert "Apply the restatement #" in html and "2 records were changed" in html
    assert 'id="restatement-status">Applied<' in html
    assert '<td class="num">130.320</td><td class="num">124.000</td>' in html
    assert ActivityRecord.objects.get(pk=records[1].pk).co2e_kg == Decimal("124000.000000")
    # Applied once only: a second click is refused with the reason.
    client.post(detail(previewed, "dashboard:restatement_apply"))
    html = client.get(detail(previewed)).content.decode()
    assert "This restatement is applied: only a ready preview can be applied" in html


def test_the_targets_page_and_report_show_the_original_figures(previewed, approver):
    ActivityRecord.objects.update(status="approved")  # the report counts approved records
    client = client_for(approver)
    client.post(detail(previewed, "dashboard:restatement_apply"))
    html = client.get(reverse("dashboard:targets")).content.decode()
    section = html.split('id="restated"')[1]
    assert '<th scope="row">2024</th>' in section
    assert '<td class="num">130.320</td><td class="num">124.000</td>' in section
    report = client.get(reverse("dashboard:report_year", kwargs={"year": 2025})).content.decode()
    assert (
        "2025 was restated on" in report
        and f"(restatement #{previewed.pk}, " in report
        and "originally 32.580 t CO2e and 31.000 t CO2e after" in report
    )
    assert "2024 was restated on" in report  # the base year


def test_an_approver_discards_it(previewed, approver):
    client = client_for(approver)
    client.post(detail(previewed, "dashboard:restatement_discard"))
    html = client.get(detail(previewed)).content.decode()
    assert "The restatement was discarded: no record changed, and 1 of its factors" in html
    assert not EmissionFactor.objects.filter(key="grid_electricity_cn_he_2024").exists()


def test_a_bad_file_is_refused_with_each_problem_and_loads_nothing(records, administrator):
    bad = HEBEI_2024.replace("0.6200", "abc")
    response = upload(client_for(administrator), csv_file(bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was loaded: 1 problem was found." in html
    assert "Row 2, column co2_kg: “abc” is not a number." in html
    assert not Restatement.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "This field is required."), ("xlsx", "Upload a .csv file.")],
)
def test_the_upload_form_names_a_missing_or_wrong_file(records, administrator, data, message):
    client = client_for(administrator)
    if data == "xlsx":
        response = upload(client, csv_file(HEBEI_2024), name="factors.xlsx")
    else:
        response = client.post(LOAD, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_shows_each_restatement(previewed, viewer):
    response = client_for(viewer).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{detail(previewed)}">#{previewed.pk}</a>' in html
    assert "Preview ready" in html
    assert "Load a factor dataset" not in html  # a viewer loads nothing


def test_pages_need_login_and_permission_and_refuse_wrong_methods(previewed, django_user_model):
    anonymous = Client()
    nobody = client_for(django_user_model.objects.create_user("nobody"))
    for url in (LIST, LOAD, detail(previewed)):
        assert anonymous.get(url).status_code == 302
        assert nobody.get(url).status_code == 403
    for name in ("dashboard:restatement_apply", "dashboard:restatement_discard"):
        assert anonymous.post(detail(previewed, name)).status_code == 302
        assert nobody.post(detail(previewed, name)).status_code == 403


def test_missing_restatements_are_404_and_actions_refuse_get(previewed, approver):
    client = client_for(approver)
    assert client.get(reverse("dashboard:restatement", args=[98765])).status_code == 404
    assert client.post(reverse("dashboard:restatement_apply", args=[98765])).status_code == 404
    assert client.get(detail(previewed, "dashboard:restatement_apply")).status_code == 405
    assert client.get(detail(previewed, "dashboard:restatement_discard")).status_code == 405
    assert client_for(approver).post(LIST).status_code == 405


def test_query_counts_are_pinned(previewed, approver, django_assert_num_queries):
    client = client_for(approver)
    client.get(LIST)
    # session, user, permissions (user, groups), restatements (page count, rows)
    with django_assert_num_queries(6):
        client.get(LIST)
    client.get(detail(previewed))
    # session, user, permissions (user, groups), the restatement with its dataset, users, jobs
    with django_assert_num_queries(5):
        client.get(detail(previewed))


def test_the_admin_lists_restatements_and_sends_add_to_the_load_page(previewed, administrator):
    client = client_for(administrator)
    changelist = reverse("admin:neutrality_restatement_changelist")
    assert f"{previewed.dataset.name}" in client.get(changelist).content.decode()
    response = client.get(reverse("admin:neutrality_restatement_add"))
    assert response["Location"] == LOAD
    change = reverse("admin:neutrality_restatement_change", args=[previewed.pk])
    assert client.get(change)["Location"] == detail(previewed)
    bad = reverse("admin:neutrality_restatement_change", args=["x1"])
    assert client.get(bad).status_code == 404
