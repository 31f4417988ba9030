"""Keep stored emissions in step with what they were computed from.

A saved factor rewrites its records; a changed GWP or GWP basis rewrites CO2e everywhere.
Both are set-based (see recalculation.py) and run in the saving transaction.
"""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, Gas
from emissions.factors.signals import recalculation_requested

from .models import ActivityRecord, ActivityType
from .recalculation import recalculate_co2e, recalculate_factor_records, reselect_factors

# What a factor applies to. A change here can make another factor the right one, or leave the
# stored quantity in a unit the factor no longer uses, so its records choose again.
FACTOR_SCOPE_FIELDS = ("unit", "group", "series", "region", "year")


def _factor_scope(factor: EmissionFactor) -> tuple:
    return tuple(getattr(factor, name) for name in FACTOR_SCOPE_FIELDS)


@receiver(post_init, sender=EmissionFactor, dispatch_uid="remember_factor_scope")
def remember_factor_scope(sender, instance, **kwargs):
    instance._loaded_scope = _factor_scope(instance)


@receiver(post_save, sender=EmissionFactor, dispatch_uid="recalculate_on_factor_save")
def recalculate_on_factor_save(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    if _factor_scope(instance) != instance._loaded_scope:
        reselect_factors(ActivityRecord.objects.filter(factor=instance))
    else:
        recalculate_factor_records([instance.pk])
    instance._loaded_scope = _factor_scope(instance)


@receiver(recalculation_requested, dispatch_uid="recalculate_on_request")
def recalculate_on_request(sender, factor_ids, **kwargs) -> int:
    return recalculate_factor_records(factor_ids, reason="Recalculation requested in the admin")


@receiver(post_save, sender=ActivityType, dispatch_uid="recalculate_on_activity_type_save")
def recalculate_on_activity_type_save(sender, instance, created, raw=False, **kwargs):
    # A new density, calorific value, factor group or proxy region can change every record.
    if not created and not raw:
        reselect_factors(ActivityRecord.objects.filter(activity_type=instance))


@receiver(post_save, sender=Gas, dispatch_uid="recalculate_on_gwp_save")
def recalculate_on_gwp_save(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        recalculate_co2e()


def _inventory_rules(organisation: Organisation) -> tuple[str, frozenset[str]]:
    return organisation.gwp_basis, organisation.factor_series


@receiver(post_init, sender=Organisation, dispatch_uid="remember_inventory_rules")
def remember_inventory_rules(sender, instance, **kwargs):
    instance._loaded_rules = _inventory_rules(instance)


@receiver(post_save, sender=Organisation, dispatch_uid="recalculate_on_rule_change")
def recalculate_on_rule_change(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    basis, series = _inventory_rules(instance)
    old_basis, old_series = instance._loaded_rules
    if series != old_series:
        # Another factor series means other factors: choose them again (row by row).
        reselect_factors()
    elif basis != old_basis:
        recalculate_co2e()
    instance._loaded_rules = (basis, series)
