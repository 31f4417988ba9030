"""The Kehui demo: instruments and targets load once, through the services, and balance."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from emissions.neutrality.models import ReductionInitiative, Target
from emissions.neutrality.selectors import yearly_balance
from emissions.offsets.models import CreditBatch, EnergyCertificate, Retirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def test_the_demo_loads_instruments_and_targets_once(demo, capsys):
    assert "Demo instruments: 23 created." in demo
    assert "Demo targets and initiatives: 11 created." in demo
    call_command("load_demo")
    again = capsys.readouterr().out
    assert "Demo instruments: 0 created." in again
    assert "Demo targets and initiatives: 0 created." in again
    assert CreditBatch.objects.count() == 3
    assert Retirement.objects.count() == 7
    assert EnergyCertificate.objects.count() == 4
    assert Target.objects.count() == 4
    assert ReductionInitiative.objects.count() == 7


def test_the_demo_balance_counts_neutrality_credits_only(demo):
    balances = {row.year: row for row in yearly_balance()}
    # 2024: 2,000 t VCS (avoidance) + 1,200 t CCER (removal); the 300 t CCER for ETS is not counted
    assert balances[2024].credits_avoidance_kg == Decimal("2000000")
    assert balances[2024].credits_removal_kg == Decimal("1200000")
    assert balances[2019].credits_avoidance_kg == balances[2019].credits_removal_kg == 0
    assert balances[2025].gross_kg < balances[2019].gross_kg
    assert not balances[2025].is_neutral
    assert balances[2025].renewable_share_pct > balances[2022].renewable_share_pct > 0
