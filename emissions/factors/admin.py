"""Admin for the factor library: shipped gases and factors are shown, custom factors edited."""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin
from emissions.jobs.messages import job_outcome_message
from emissions.recalculation_notice import RecalculationNoticeMixin

from .models import EmissionFactor, ExchangeRate, FactorDataset, Gas
from .resources import EmissionFactorResource
from .signals import recalculation_requested


def plain_number_column(model, field_name):
    """A sortable list column showing a decimal without its trailing zeros (0.6516, not 0.65…0)."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def column(obj):
        value = getattr(obj, field_name)
        return None if value is None else number_format(value.normalize())

    column.__name__ = field_name  # names the column's CSS class
    return column


@admin.register(ExchangeRate)
class ExchangeRateAdmin(RecalculationNoticeMixin, HistoryAdmin):
    """The organisation's own CNY per USD by year: read before the shipped table (spend.py)."""

    list_display = ["year", plain_number_column(ExchangeRate, "cny_per_usd"), "source"]
    fields = ["year", "cny_per_usd", "source"]


@admin.register(Gas)
class GasAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name",
        "formula",
        *(plain_number_column(Gas, f"gwp_{basis}") for basis in ("ar4", "ar5", "ar6")),
    ]
    search_fields = ["code", "name", "formula"]
    fields = ["code", "name", "formula", "gwp_ar4", "gwp_ar5", "gwp_ar6", "source"]

    # GWPs come from the IPCC tables through load_factors; an edit here would leave the
    # inventory disagreeing with the report it cites. Staff may look, nobody may change.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FactorDataset)
class FactorDatasetAdmin(HistoryAdmin):
    list_display = ["name", "publisher", "version", "licence", "is_shipped", "factor_count"]
    list_filter = ["is_shipped", "publisher"]
    search_fields = ["name", "publisher", "source_reference"]
    fields = ["name", "publisher", "version", "licence", "source_reference", "is_shipped"]
    # Only load_factors marks a dataset as shipped.
    readonly_fields = ["is_shipped"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(factor_count=Count("factors"))

    @admin.display(description=_("factors"), ordering="factor_count")
    def factor_count(self, dataset):
        return dataset.factor_count

    def has_change_permission(self, request, obj=None):
        shipped = obj is not None and obj.is_shipped
        return super().has_change_permission(request, obj) and not shipped

    def has_delete_permission(self, request, obj=None):
        shipped = obj is not None and obj.is_shipped
        return super().has_delete_permission(request, obj) and not shipped


@admin.register(EmissionFactor)
class EmissionFactorAdmin(RecalculationNoticeMixin, ImportAdminMixin, HistoryAdmin):
    resource_classes = [EmissionFactorResource]
    list_display = [
        "key",
        "name",
        "group",
        "series",
        "region",
        "year",
        "unit",
        *(
            plain_number_column(EmissionFactor, name)
            for name in ("co2_kg", "ch4_kg", "n2o_kg", "co2e_kg")
        ),
        "dataset",
    ]
    list_filter = [
        "group",
        "region",
        "year",
        "category",
        "dataset__is_shipped",
        "dataset",
        "series",
    ]
    search_fields = ["key", "name", "source_reference", "notes"]
    list_select_related = ["dataset"]
    actions = ["recalculate_records"]
    fieldsets = [
        (None, {"fields": ["key", "name", "dataset", "group", "series", "category"]}),
        (_("Applies to"), {"fields": ["unit", "region", "year"]}),
        (
            _("kg per unit"),
            {
                "fields": [
                    "co2_kg",
                    "ch4_kg",
                    "n2o_kg",
                    "biogenic_co2_kg",
                    "co2e_kg",
                    "co2e_gwp_basis",
                ],
                "description": _(
                    "Saving a changed factor rewrites the stored emissions of every record "
                    "that uses it."
                ),
            },
        ),
        (_("Source"), {"fields": ["source_reference", "notes"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "dataset":
            # Shipped datasets belong to load_factors: the organisation's own factors go
            # into its own datasets.
            kwargs["queryset"] = FactorDataset.objects.filter(is_shipped=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        shipped = obj is not None and obj.dataset.is_shipped
        return super().has_change_permission(request, obj) and not shipped

    def has_delete_permission(self, request, obj=None):
        shipped = obj is not None and obj.dataset.is_shipped
        return super().has_delete_permission(request, obj) and not shipped

    def has_recalculate_permission(self, request):
        # The action rewrites activity records, not factors.
        return request.user.has_perm("activities.change_activityrecord")

    @admin.action(
        description=_("Recalculate records that use the selected factors"),
        permissions=["recalculate"],
    )
    def recalculate_records(self, request, queryset):
        # The records live in an app downstream of this one; it listens for the request.
        responses = recalculation_requested.send(
            sender=EmissionFactor, factor_ids=list(queryset.values_list("pk", flat=True))
        )
        for _receiver, job in responses:
            level, message = job_outcome_message(job)
            self.message_user(request, message, level)
