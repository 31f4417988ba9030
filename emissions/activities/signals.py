"""Keep stored emissions in step with what they were computed from.

A saved factor rewrites its records; a changed GWP or GWP basis rewrites CO2e everywhere.
Each is queued as a background job (jobs.py) in the saving transaction: the worker runs it
after the change commits, set-based (recalculation.py), all-or-nothing.
"""

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, ExchangeRate, Gas
from emissions.factors.signals import recalculation_requested
from emissions.suppliers.models import SupplierProduct
from emissions.suppliers.signals import supplier_data_accepted

from .jobs import queue_co2e_recalculation, queue_factor_recalculation, queue_reselection
from .models import ActivityRecord, ActivityType

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
    if not ActivityRecord.objects.filter(factor=instance).exists():
        pass  # no record uses it: nothing to queue
    elif _factor_scope(instance) != instance._loaded_scope:
        queue_reselection(label=instance.key, factor_id=instance.pk)
    else:
        queue_factor_recalculation([instance.pk], label=instance.key)
    instance._loaded_scope = _factor_scope(instance)


@receiver(recalculation_requested, dispatch_uid="recalculate_on_request")
def recalculate_on_request(sender, factor_ids, **kwargs):
    """The admin's "recalculate" action: the job it queued (the admin reports on it)."""
    return queue_factor_recalculation(
        factor_ids,
        label=", ".join(
            sorted(sender.objects.filter(pk__in=factor_ids).values_list("key", flat=True))
        )[:200],
        reason="Recalculation requested in the admin",
    )


@receiver(post_save, sender=ActivityType, dispatch_uid="recalculate_on_activity_type_save")
def recalculate_on_activity_type_save(sender, instance, created, raw=False, **kwargs):
    # A new density, calorific value, factor group or proxy region can change every record.
    if not created and not raw and ActivityRecord.objects.filter(activity_type=instance).exists():
        queue_reselection(label=instance.name, activity_type_id=instance.pk)


@receiver(post_save, sender=Gas, dispatch_uid="recalculate_on_gwp_save")
def recalculate_on_gwp_save(sender, instance, created, raw=False, **kwargs):
    if not created and not raw and ActivityRecord.objects.exists():
        queue_co2e_recalculation(why=f"GWP values of {instance.code} changed")


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
    if not ActivityRecord.objects.exists():
        pass  # nothing stored to rewrite
    elif series != old_series:
        # Another factor series means other factors: choose them again (row by row).
        queue_reselection(label="all records (the factor series changed)")
    elif basis != old_basis:
        queue_co2e_recalculation(why=f"GWP basis {old_basis} → {basis}")
    instance._loaded_rules = (basis, series)


@receiver(supplier_data_accepted, dispatch_uid="reselect_on_supplier_data")
def reselect_on_supplier_data(sender, supplier_id, product_ids, **kwargs):
    """Accepted supplier data: that supplier's purchases choose their factors again (a
    product footprint serves its product; an intensity every product of the supplier)."""
    products = sorted(
        SupplierProduct.objects.filter(supplier_id=supplier_id).values_list("pk", flat=True)
    )
    if ActivityRecord.objects.filter(purchased_product_id__in=products).exists():
        queue_reselection(label=f"purchases from supplier {supplier_id}", product_ids=products)


@receiver(post_save, sender=ExchangeRate, dispatch_uid="reselect_on_exchange_rate_save")
@receiver(post_delete, sender=ExchangeRate, dispatch_uid="reselect_on_exchange_rate_delete")
def reselect_on_exchange_rate(sender, instance, raw=False, **kwargs):
    """A year's own CNY/USD rate changed: that year's spend-based purchases compute again."""
    spend = ActivityRecord.objects.filter(year=instance.year, factor__dataset__basis="spend")
    if not raw and spend.exists():
        queue_reselection(
            label=f"spend-based purchases of {instance.year}", spend_year=instance.year
        )
