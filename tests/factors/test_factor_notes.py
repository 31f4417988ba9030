"""Factor notes and sources are written for the people who read them on a record's page."""

import csv
import re

import pytest

from emissions.factors.loading import DATA_DIR, load_shipped_factors
from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db

# What a developer's note to themselves looks like: the units library, its registry, its syntax.
DEVELOPER_TEXT = re.compile(r"ureg|pint|\*\*", re.IGNORECASE)


def shipped_rows() -> list[dict]:
    with (DATA_DIR / "emission_factors.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_no_shipped_note_or_source_holds_developer_text():
    found = [
        (row["key"], column)
        for row in shipped_rows()
        for column in ("notes", "source_reference")
        if DEVELOPER_TEXT.search(row[column])
    ]
    assert found == []


def test_no_loaded_factor_holds_developer_text():
    notes = EmissionFactor.objects.values_list("key", "notes", "source_reference")
    assert [key for key, *texts in notes if DEVELOPER_TEXT.search(" ".join(texts))] == []


def test_loading_again_rewrites_the_notes_of_an_existing_database():
    """A database loaded before the notes were cleaned gets the new ones from load_factors."""
    hotel = EmissionFactor.objects.get(key="hotel_stay_china_desnz2025_night")
    clean = hotel.notes
    old = clean.replace(" Unit: room-night.", ' pint needs a custom unit: ureg.define("night").')
    EmissionFactor.objects.filter(pk=hotel.pk).update(notes=old)

    report = load_shipped_factors()

    hotel.refresh_from_db()
    assert hotel.notes == clean
    assert "Per occupied room per night. Unit: room-night." in hotel.notes
    assert report.changed_factor_ids == [hotel.pk]


@pytest.mark.parametrize(
    ("key", "standard"),
    [
        ("natural_gas_stationary_cn_gbt32151_m3", "GB/T 32151.34—2024 附录C 表C.1"),
        ("purchased_heat_cn_default_gbt32150_2025", "GB/T 32150—2025"),
    ],
)
def test_a_figure_from_a_chinese_standard_cites_the_standard_first(key, standard):
    """The catalogue it was read from is kept, as where it was read, after the standard."""
    source = EmissionFactor.objects.get(key=key).source_reference
    assert source.startswith(standard)
    assert "as recorded in the adgo07/GHGTOOL factor catalogue" in source
    assert "canonical catalog" not in source


def test_the_epa_factors_cite_the_hub_and_say_where_its_figures_were_read():
    sources = EmissionFactor.objects.filter(key__contains="_us_epa2025_").values_list(
        "source_reference", flat=True
    )
    assert sources
    for source in sources:
        assert source.startswith("US EPA GHG Emission Factors Hub 2025, Table")
        assert "db/seeds" not in source and "sha256" not in source
        assert "as recorded in a transcription of the Hub's workbook" in source
