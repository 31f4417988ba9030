"""Job functions the tests run (registered like the domain's own)."""

import time

from django.contrib.auth.models import Group

from emissions.jobs import progress
from emissions.jobs.registry import job_function


@job_function
def make_groups(names: list[str]) -> int:
    for name in names:
        Group.objects.create(name=name)
    return len(names)


@job_function
def make_group_then_fail(name: str) -> int:
    Group.objects.create(name=name)
    raise ValueError(f"the factor for {name} has no unit")


@job_function
def make_group_then_wait(name: str, seconds: float) -> int:
    Group.objects.create(name=name)
    time.sleep(seconds)
    return 1


def not_a_job_function() -> int:
    return 0


@job_function
def count_in_steps(steps: int, seconds_per_step: float = 0) -> int:
    for step in range(1, steps + 1):
        time.sleep(seconds_per_step)
        progress.report(step, steps)
    return steps
