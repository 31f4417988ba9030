"""Purchases come through the import page like any activity data: the product's code names
what was bought (and so from whom); a wrong code is a row error and nothing is written."""

import pytest

from emissions.activities.imports import service
from emissions.activities.models import ActivityRecord, ImportBatch
from emissions.factors.models import FactorBasis

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality,供应商产品\n"


def _preview(user, text):
    content = text.encode("utf-8")
    batch = service.start_import(user=user, file_name="purchases.csv", content=content)
    return batch, service.check_file("purchases.csv", content)


@pytest.fixture
def editor(django_user_model):
    from tests.factories import user_in_roles

    return user_in_roles(django_user_model, "editor", "Data editor")


def test_a_purchase_row_names_its_product_and_is_priced_by_the_rule(
    editor, organisation, hebei_plant, coil
):
    rows = (
        "XT-01,purchased_steel,2023-05-01,2023-05-31,100,吨,invoice,hbsteel-hrc\n"
        "XT-01,purchased_steel,2023-06-01,2023-06-30,420000,元,invoice,hbsteel-hrc\n"
    )
    batch, check = _preview(editor, HEADER + rows)
    assert check.ok, check.errors
    service.commit_import(batch=batch, user=editor, sha=batch.sha256)
    records = ActivityRecord.objects.order_by("period_start")
    assert [r.purchased_product for r in records] == [coil, coil]
    assert [r.factor.dataset.basis for r in records] == [FactorBasis.AVERAGE, FactorBasis.SPEND]


def test_an_unknown_product_code_names_the_row_and_column_and_writes_nothing(
    editor, organisation, hebei_plant, coil
):
    rows = (
        "XT-01,purchased_steel,2023-05-01,2023-05-31,100,t,invoice,hbsteel-hrc\n"
        "XT-01,purchased_steel,2023-06-01,2023-06-30,100,t,invoice,no-such-product\n"
    )
    _batch, check = _preview(editor, HEADER + rows)
    assert not check.ok
    (problem,) = check.errors
    assert (problem.row, problem.column) == (3, "purchased_product")
    assert problem.message == "No supplier product has the code 'no-such-product'."
    assert not ActivityRecord.objects.exists()
    assert ImportBatch.objects.get().status == "previewed"
