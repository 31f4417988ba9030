"""`make bench` keeps working: its data generator still passes every service's rules.

The benchmarks themselves are not part of `make test` (they need a million records), so a rule
added to a service (GEC codes, for one) could break the generator unseen until someone runs
them. This runs it at a few thousand records and reads the pages the page benchmark times.
"""

import pytest
from django.conf import settings
from django.db import connection

from emissions.activities.models import ActivityRecord
from emissions.offsets.models import CertificateScheme, EnergyCertificate
from tests.bench.generate import foreign_key_constraints, generate, secondary_indexes

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The generator clones records with PostgreSQL's generate_series.",
)

RECORDS = 5_000
PAGES = [
    "/?year=2025",
    "/facilities/",
    "/facilities/F001/",
    "/ledger/",
    "/offsets/",
    "/targets/",
    "/report/2025/",
]


def test_the_bench_generator_loads_its_records_and_every_page_reads_them(
    organisation, admin_client
):
    with connection.cursor() as cursor:
        indexes, keys = secondary_indexes(cursor), foreign_key_constraints(cursor)
    generated = generate(RECORDS, vacuum=False)

    # It drops the records' indexes and foreign keys for the load: every one is back, as it was.
    with connection.cursor() as cursor:
        assert secondary_indexes(cursor) == indexes
        assert foreign_key_constraints(cursor) == keys
    assert len(indexes) >= 10
    assert len(keys) >= 8
    assert ActivityRecord.objects.count() == RECORDS == generated.records
    assert len(generated.facilities) == 200
    assert EnergyCertificate.objects.filter(scheme=CertificateScheme.GEC).count() == 8 * 4
    for url in PAGES:
        response = admin_client.get(url)
        assert response.status_code == 200, url
