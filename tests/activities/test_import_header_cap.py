"""An import file's messages stay short whatever the file holds: a million columns, 128 KB cells."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.imports.validation import MESSAGE_CHARS
from emissions.activities.models import ImportBatch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organisation", "hebei_plant")]

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality"
COLUMNS = 200_000


def wide_header() -> bytes:
    extra = ",".join(f"c{i}" for i in range(COLUMNS))
    return (
        f"{HEADER},{extra}\nXT-01,grid_electricity,2023-03-01,2023-03-31,1,kWh,metered\n".encode()
    )


def test_a_header_of_many_unknown_columns_names_the_first_few_and_counts_the_rest():
    check = imports.check_file("wide.csv", wide_header())
    [problem] = check.errors
    assert problem.message == (
        "Unknown columns: c0, c1, c2, c3, c4 and 199,995 more. Use the columns of the template."
    )


def test_a_few_unknown_columns_are_all_named():
    check = imports.check_file("few.csv", f"{HEADER},colour,size\n".encode())
    assert [p.message for p in check.errors] == [
        "Unknown columns: colour, size. Use the columns of the template."
    ]


def test_a_huge_column_name_is_cut_short():
    check = imports.check_file("long.csv", f"{HEADER},{'x' * 100_000}\n".encode())
    [problem] = check.errors
    assert problem.message == (f"Unknown columns: {'x' * 60}…. Use the columns of the template.")


def test_a_huge_cell_is_quoted_only_so_far():
    rows = "".join(
        f"{'F' * 100_000},grid_electricity,{'9' * 100_000},2023-03-31,1,kWh,{'q' * 100_000}\n"
        for _ in range(3)
    )
    check = imports.check_file("cells.csv", f"{HEADER}\n{rows}".encode())
    assert check.error_count == 9
    assert max(len(p.message) for p in check.errors) < 200
    assert check.errors[0].message == f"No facility has the code '{'F' * 60}…'."


def test_the_stored_preview_and_the_page_stay_small(client, django_user_model):
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="add_activityrecord"))
    client.force_login(user)
    file = SimpleUploadedFile("wide.csv", wide_header(), content_type="text/csv")
    page = client.post(reverse("dashboard:import"), {"file": file}, follow=True)
    assert page.status_code == 200
    assert "and 199,995 more" in page.content.decode()
    assert len(page.content) < 100_000
    batch = ImportBatch.objects.get()
    assert len(batch.preview["errors"][0]["message"]) < 200


def test_an_older_preview_with_a_huge_message_is_shown_cut_short():
    stored = imports.ImportCheck(error_count=1, errors=[imports.Problem(1, "", "x" * 1_000_000)])
    check = imports.ImportCheck.from_json(stored.as_json())
    assert len(check.errors[0].message) == MESSAGE_CHARS + 1
