"""The organisation, plants and user the import benchmarks share."""

import datetime as dt

from emissions.facilities.models import Facility, Organisation


def bench_setup(django_user_model):
    """An organisation, the four Hebei plants generated_csv() names, and an importing user."""
    Organisation(name_en="Kehui bench", base_year=2019, gwp_basis="AR5").save()
    for n in range(1, 5):
        Facility.objects.create(
            code=f"HE-0{n}",
            name_en=f"Hebei plant {n}",
            kind="factory",
            province="CN-HE",
            grid_region="CN-North",
            opened_on=dt.date(2008, 1, 1),
        )
    return django_user_model.objects.create_user("bench", password="bench-pass-123")
