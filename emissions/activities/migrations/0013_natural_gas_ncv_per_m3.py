"""Natural gas's calorific value per standard m³, for databases made before it existed.

`load_activity_types` (make run, the upgrade steps) writes it from the catalogue; a deployment
that only runs `migrate` (docker compose) would otherwise refuse natural gas entered in GJ, kWh
or tonnes at a Chinese facility: the region's factor is per Nm³ and the conversion needs it.
Frozen values: the catalogue may change later, this migration must not.
"""

from decimal import Decimal

from django.db import migrations

CODE = "natural_gas_stationary"
NCV_GJ_PER_M3 = Decimal("0.038931")
SOURCE = (
    "NCV per standard m³: 389.31 GJ/10⁴ Nm³ = 0.038931 GJ/Nm³, the natural-gas default of "
    "GB/T 32151.34-2024 Annex C Table C.1; Nm³ at 0 °C and 101.325 kPa."
)


def add_ncv(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for activity_type in ActivityType.objects.filter(code=CODE, ncv_gj_per_m3__isnull=True):
        activity_type.ncv_gj_per_m3 = NCV_GJ_PER_M3
        if SOURCE not in activity_type.properties_source:
            activity_type.properties_source = f"{activity_type.properties_source} {SOURCE}".strip()
        activity_type.save(update_fields=["ncv_gj_per_m3", "properties_source"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0012_gas_ncv_per_m3_and_rollup_quantity")]

    operations = [migrations.RunPython(add_ncv, migrations.RunPython.noop)]
