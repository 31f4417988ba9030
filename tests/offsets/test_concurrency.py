"""Two people acting on the same credits at the same moment (PostgreSQL only).

SQLite has no row locks (one writer at a time, the other fails with "database is locked"), so
these tests skip there. Each thread has its own database connection and commits for real,
hence transaction=True; `available_apps` limits the flush afterwards to this app's tables, so
the factor library loaded once per session survives for the tests that follow.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from emissions.offsets import selectors, services
from emissions.offsets.models import (
    CreditBatch,
    CreditKind,
    CreditProject,
    CreditStandard,
    ProjectType,
    Retirement,
)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, available_apps=["emissions.offsets"]),
]

TIMEOUT = 30


def run_at_once(*actions):
    """Run each action in its own thread and transaction, all released together once every
    transaction has begun; return what each returned or raised."""
    barrier = threading.Barrier(len(actions), timeout=TIMEOUT)
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            with transaction.atomic():
                # A first query opens the transaction (and reads the batch as it is now).
                CreditBatch.objects.count()
                barrier.wait()
                outcomes[index] = action()
        except Exception as error:  # the test looks at what was raised
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread is still waiting (deadlock?)"
    return outcomes


def make_project(registry_project_id="CCER-14-001", name="Taihang afforestation"):
    return CreditProject.objects.create(
        name=name,
        standard=CreditStandard.CCER,
        registry_project_id=registry_project_id,
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
    )


def add_batch(project, first, last):
    return services.add_credit_batch(
        project=project,
        vintage_year=2023,
        quantity_t=Decimal(last - first + 1),
        serial_first=first,
        serial_last=last,
        purchased_on=dt.date(2024, 1, 15),
    )


def test_two_people_retiring_60_t_each_from_a_100_t_batch_at_once_cannot_both_succeed():
    batch = add_batch(make_project(), 1, 100)

    def retire_60():
        return services.retire_credits(
            batch=batch,
            quantity_t=Decimal("60"),
            retired_on=dt.date(2025, 3, 20),
            claimed_year=2024,
            registry_reference="CCER-RET-2025-0320",
        )

    outcomes = run_at_once(retire_60, retire_60)

    retirements = [outcome for outcome in outcomes if isinstance(outcome, Retirement)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert (len(retirements), len(errors)) == (1, 1), outcomes
    assert errors[0].messages == [
        "Batch CCER-14-001 v2023 #1–100 holds only 40 tCO2e; cannot retire 60."
    ]
    holding = selectors.with_holdings().get(pk=batch.pk)
    assert (holding.retired_t, holding.remaining_t) == (Decimal("60"), Decimal("40"))
    assert Retirement.objects.count() == 1


def test_two_overlapping_batches_added_at_once_to_one_registry_cannot_both_be_stored():
    forest, wind = make_project(), make_project("CCER-01-002", "Zhangjiakou wind")

    outcomes = run_at_once(
        lambda: add_batch(forest, 1, 100),
        lambda: add_batch(wind, 51, 150),
    )

    batches = [outcome for outcome in outcomes if isinstance(outcome, CreditBatch)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert (len(batches), len(errors)) == (1, 1), outcomes
    assert "overlap batch" in errors[0].messages[0]
    assert CreditBatch.objects.count() == 1


def test_two_entries_claiming_one_gec_at_once_cannot_both_be_stored():
    # Past the service's lock (as another database client would be): the unique index alone
    # must keep a GEC from being claimed twice, whichever transaction commits first.
    from emissions.offsets.gec import parse_range
    from emissions.offsets.models import ClaimedGecCode, EnergyCertificate
    from emissions.offsets.services.certificates import _claim_codes
    from tests.factories import gec_code

    def claim(first, last):
        def action():
            certificate = EnergyCertificate.objects.create(
                scheme="gec",
                registry="China GEC",
                technology="wind",
                serial_first=first,
                serial_last=last,
                generation_start=dt.date(2024, 1, 1),
                generation_end=dt.date(2024, 1, 31),
                mwh=Decimal(last - first + 1),
                reporting_year=2024,
            )
            _claim_codes(certificate, parse_range(gec_code(first), gec_code(last)))
            return certificate

        return action

    outcomes = run_at_once(claim(1, 100), claim(100, 150))

    stored = [outcome for outcome in outcomes if isinstance(outcome, EnergyCertificate)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert (len(stored), len(errors)) == (1, 1), outcomes
    lost = (1, 100) if stored[0].serial_first == 100 else (100, 150)
    assert errors[0].messages == [
        f"A GEC of {gec_code(lost[0])}–{gec_code(lost[1])} was claimed by another entry at the "
        "same moment; nothing was saved. Look at the certificates entered and try again."
    ]
    # The failed entry left nothing: neither its certificate nor any of its codes.
    assert EnergyCertificate.objects.count() == 1
    assert ClaimedGecCode.objects.count() == stored[0].serial_last - stored[0].serial_first + 1
