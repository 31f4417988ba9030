"""Products, processes, production and precursors are entered here (products, production
and precursors also by import, CSV or XLSX, all-or-nothing); the Products page reads them.
Production and precursors of a locked year are neither added, changed (the models' clean) nor
deleted (LockedYearAdminMixin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emissions.facilities.periods_admin import LockedYearAdminMixin
from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin

from .models import Precursor, Process, Product, Production
from .resources import PrecursorResource, ProductionResource, ProductResource


@admin.register(Product)
class ProductAdmin(ImportAdminMixin, HistoryAdmin):
    resource_classes = [ProductResource]
    list_display = ["code", "name_en", "name_zh", "cn_code", "cpc_code", "declared_unit"]
    search_fields = ["code", "name_en", "name_zh", "cn_code", "cpc_code"]


@admin.register(Process)
class ProcessAdmin(HistoryAdmin):
    list_display = ["facility", "name", "allocation_basis"]
    list_select_related = ["facility"]
    search_fields = ["name", "facility__code", "facility__name_en"]


@admin.register(Production)
class ProductionAdmin(LockedYearAdminMixin, ImportAdminMixin, HistoryAdmin):
    resource_classes = [ProductionResource]
    list_display = ["year", "month", "process", "product", "quantity", "machine_hours", "value"]
    list_filter = ["year", "process__facility", "product"]
    list_select_related = ["process__facility", "product"]

    @admin.display(description=_("value (CNY)"), ordering="value_cny")
    def value(self, production):
        return production.value_cny


@admin.register(Precursor)
class PrecursorAdmin(LockedYearAdminMixin, ImportAdminMixin, HistoryAdmin):
    resource_classes = [PrecursorResource]
    list_display = ["year", "name", "product", "facility", "quantity_t", "footprint"]
    list_filter = ["year", "facility", "product"]
    list_select_related = ["product", "facility", "supplier_product__supplier"]
    autocomplete_fields = ["supplier_product"]

    @admin.display(description=_("embedded emissions from"))
    def footprint(self, precursor):
        if precursor.default_kg_per_t is not None:
            return _("default: %(source)s") % {"source": precursor.default_source}
        return precursor.supplier_product
