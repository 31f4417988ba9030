"""Admin for credits, planting, certificates and allowances.

Everything a rule guards is added through its service (the add forms call it, so its messages
show on the form) and is read-only afterwards: retirements, reversals and allowance
transactions are never edited or deleted, a mistake is reversed by a new entry.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import HOURS
from emissions.facilities.periods_admin import LockedYearAdminMixin
from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin

from . import gec, selectors
from .forms import (
    AllowanceTransactionForm,
    BatchChoiceField,
    ContractSettlementForm,
    CreditBatchForm,
    EnergyCertificateForm,
    GreenPowerContractForm,
    RetirementForm,
    RetirementReversalForm,
)
from .locking import assert_plantings_deletable
from .models import (
    AllowanceTransaction,
    ContractGenerationDay,
    ContractSettlement,
    CreditBatch,
    CreditProject,
    EnergyCertificate,
    GreenPowerContract,
    Retirement,
    RetirementReversal,
    TreePlanting,
)
from .resources import CreditBatchResource


def plain_number(value):
    """A decimal without its trailing zeros (100, not 100.000)."""
    return None if value is None else number_format(value.normalize())


class ServiceAdmin(HistoryAdmin):
    """Adds through `add_form` (which calls the service); never writes a guarded field itself."""

    add_form = None
    # Fields that may still change after creation (the services' rules do not look at them).
    editable_after_creation: list[str] = []
    # Shown, not edited, on the change page only.
    readonly_after_creation: list[str] = []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def _model_fields(self) -> list[str]:
        fields = self.model._meta.concrete_fields
        return [field.name for field in fields if field.editable and not field.primary_key]

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)  # the add form's
        return [*self._model_fields(), *self.readonly_after_creation]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        guarded = [
            name for name in self._model_fields() if name not in self.editable_after_creation
        ]
        return [*guarded, *self.readonly_after_creation]

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def save_model(self, request, obj, form, change):
        # On add, the service saved the object while the form was validated.
        if change:
            super().save_model(request, obj, form, change)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a POSTed old version without the service's checks (and without
        # asking whether the user may change the object at all).
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AddOnlyAdmin(ServiceAdmin):
    """Entries that are never edited or deleted: a mistake is corrected by a new entry."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditProject)
class CreditProjectAdmin(HistoryAdmin):
    list_display = [
        "registry_project_id",
        "name",
        "name_zh",
        "standard",
        "project_type",
        "kind",
        "country",
        "methodology",
    ]
    list_display_links = ["registry_project_id", "name"]
    list_filter = ["standard", "kind", "project_type", "country"]
    search_fields = ["name", "name_zh", "registry_project_id", "methodology"]

    def get_readonly_fields(self, request, obj=None):
        # Serials and retirement references are unique per registry, and each retirement
        # stores its registry: once credits are recorded, the project stays in its registry.
        if obj is not None and obj.batches.exists():
            return ["standard"]
        return []


class RetirementInline(admin.TabularInline):
    model = Retirement
    fields = [
        "retired_on",
        "quantity_t",
        "claimed_year",
        "purpose",
        "registry_reference",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CreditBatch)
class CreditBatchAdmin(ImportAdminMixin, ServiceAdmin):
    resource_classes = [CreditBatchResource]
    add_form = CreditBatchForm
    editable_after_creation = ["price_per_t", "currency"]
    readonly_after_creation = ["retired", "remaining", "retire_link"]
    inlines = [RetirementInline]
    list_display = [
        "serials",
        "project",
        "kind",
        "vintage_year",
        "quantity",
        "retired",
        "remaining",
        "purchased_on",
        "price",
        "retire_link",
    ]
    list_filter = ["project__standard", "project__kind", "vintage_year"]
    search_fields = ["project__name", "project__name_zh", "project__registry_project_id"]
    list_select_related = ["project"]
    date_hierarchy = "purchased_on"

    def get_queryset(self, request):
        # Retired and remaining come with each row, in the changelist's one query.
        return selectors.with_holdings(super().get_queryset(request))

    @admin.display(description=_("serial numbers"), ordering="serial_first")
    def serials(self, batch):
        return f"#{batch.serial_first}–{batch.serial_last}"

    @admin.display(description=_("removal or avoidance"), ordering="project__kind")
    def kind(self, batch):
        return batch.project.get_kind_display()

    @admin.display(description=_("quantity (tCO2e)"), ordering="quantity_t")
    def quantity(self, batch):
        return plain_number(batch.quantity_t)

    @admin.display(description=_("retired (tCO2e, net of reversals)"), ordering="net_retired_t")
    def retired(self, batch):
        return plain_number(batch.net_retired_t)

    @admin.display(description=_("remaining (tCO2e)"), ordering="remaining_t")
    def remaining(self, batch):
        return plain_number(batch.remaining_t)

    @admin.display(description=_("price per tonne"), ordering="price_per_t")
    def price(self, batch):
        if batch.price_per_t is None:
            return None
        return f"{number_format(batch.price_per_t)} {batch.currency}"

    @admin.display(description=_("retire"))
    def retire_link(self, batch):
        if batch.remaining_t <= 0:
            return None
        url = reverse("admin:offsets_retirement_add")
        return format_html('<a href="{}?batch={}">{}</a>', url, batch.pk, _("Retire from it"))


class RetirementReversalInline(admin.TabularInline):
    model = RetirementReversal
    fields = ["reversed_on", "quantity_t", "reason", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Retirement)
class RetirementAdmin(AddOnlyAdmin):
    add_form = RetirementForm
    readonly_after_creation = ["reversed", "created_at", "reverse_link"]
    inlines = [RetirementReversalInline]
    list_display = [
        "retired_on",
        "batch",
        "kind",
        "quantity",
        "reversed",
        "claimed_year",
        "purpose",
        "registry_reference",
    ]
    list_filter = ["purpose", "claimed_year", "batch__project__kind", "batch__project__standard"]
    search_fields = [
        "registry_reference",
        "beneficiary_statement",
        "batch__project__name",
        "batch__project__name_zh",
        "batch__project__registry_project_id",
    ]
    list_select_related = ["batch__project"]
    date_hierarchy = "retired_on"

    def get_queryset(self, request):
        # The reversed total comes with each row, in the changelist's one query.
        return selectors.with_reversed(super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "batch":
            # Each option's label names its project and the batch's issued, retired and
            # remaining tonnes (all in the options' one query).
            kwargs["form_class"] = BatchChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("removal or avoidance"), ordering="batch__project__kind")
    def kind(self, retirement):
        return retirement.batch.project.get_kind_display()

    @admin.display(description=_("quantity (tCO2e)"), ordering="quantity_t")
    def quantity(self, retirement):
        return plain_number(retirement.quantity_t)

    @admin.display(description=_("reversed (tCO2e)"), ordering="reversed_t")
    def reversed(self, retirement):
        return plain_number(retirement.reversed_t)

    @admin.display(description=_("correct it"))
    def reverse_link(self, retirement):
        url = reverse("admin:offsets_retirementreversal_add")
        return format_html(
            '<a href="{}?retirement={}">{}</a>', url, retirement.pk, _("Reverse (part of) it")
        )


@admin.register(RetirementReversal)
class RetirementReversalAdmin(AddOnlyAdmin):
    add_form = RetirementReversalForm
    readonly_after_creation = ["created_at"]
    list_display = ["reversed_on", "retirement", "quantity", "reason", "created_at"]
    list_filter = ["retirement__claimed_year", "retirement__purpose"]
    search_fields = ["reason", "retirement__registry_reference"]
    list_select_related = ["retirement__batch__project"]
    date_hierarchy = "reversed_on"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "retirement":
            # Each option's label names its batch and project.
            kwargs["queryset"] = Retirement.objects.select_related("batch__project")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("quantity (tCO2e)"), ordering="quantity_t")
    def quantity(self, reversal):
        return plain_number(reversal.quantity_t)


@admin.register(TreePlanting)
class TreePlantingAdmin(LockedYearAdminMixin, HistoryAdmin):
    list_display = [
        "name",
        "name_zh",
        "facility",
        "location",
        "planting_year",
        "area_ha",
        "species",
        "sequestration",
    ]
    list_filter = ["planting_year", "facility"]
    search_fields = ["name", "name_zh", "location", "species", "method"]
    list_select_related = ["facility"]

    @admin.display(
        description=_("estimated sequestration (tCO2/year)"), ordering="sequestration_t_per_year"
    )
    def sequestration(self, planting):
        return plain_number(planting.sequestration_t_per_year)

    def assert_deletable(self, queryset):
        # A planting counts in every year from its planting year on (locking.py).
        assert_plantings_deletable(queryset)


@admin.register(EnergyCertificate)
class EnergyCertificateAdmin(LockedYearAdminMixin, ServiceAdmin):
    """Read-only after creation; a wrong entry is deleted and added again, through the rules."""

    add_form = EnergyCertificateForm
    locked_year_field = "reporting_year"  # not deleted while its year is locked
    readonly_after_creation = ["gec_decoded"]
    list_display = [
        "scheme",
        "registry",
        "serials",
        "technology",
        "mwh_column",
        "applied_to",
        "market_country",
        "reporting_year",
        "generation_period",
        "factor",
    ]
    list_filter = ["reporting_year", "scheme", "technology", "market_country", "facility"]
    search_fields = ["registry", "facility__code", "facility__name_en"]
    list_select_related = ["facility"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("serial numbers or GEC codes"), ordering="serial_first")
    def serials(self, certificate):
        if certificate.gec_code_first:
            return f"{certificate.gec_code_first}–{certificate.gec_code_last}"
        return f"{certificate.serial_first}–{certificate.serial_last}"

    @admin.display(description=_("GEC codes read"))
    def gec_decoded(self, certificate):
        """What the range's codes say (offsets/gec.py), for a reader checking the entry."""
        if not certificate.gec_code_first:
            return "—"
        code = gec.parse(certificate.gec_code_first)
        return format_html(
            "{}: {}<br>{}: {}<br>{}: {}–{}<br>{}: {} – {}<br>{}: {}, {}: {}",
            _("Project filing code"),
            code.project_code,
            _("Production month"),
            code.produced_from.strftime("%Y-%m"),
            _("Sequence numbers"),
            certificate.serial_first,
            certificate.serial_last,
            _("Valid"),
            code.produced_from.isoformat(),
            code.valid_until.isoformat(),
            _("Electricity class"),
            code.electricity_class,
            _("Trading class"),
            code.trading_class,
        )

    @admin.display(description=_("MWh"), ordering="mwh")
    def mwh_column(self, certificate):
        return plain_number(certificate.mwh)

    @admin.display(description=_("applied to"), ordering="facility__code")
    def applied_to(self, certificate):
        return certificate.facility or _("Whole organisation")

    @admin.display(description=_("generation period"), ordering="generation_start")
    def generation_period(self, certificate):
        return f"{certificate.generation_start} – {certificate.generation_end}"

    @admin.display(description=_("kg CO2e/kWh"), ordering="kg_co2e_per_kwh")
    def factor(self, certificate):
        return plain_number(certificate.kg_co2e_per_kwh)


@admin.register(GreenPowerContract)
class GreenPowerContractAdmin(ServiceAdmin):
    """Added through its rules; afterwards only the names may be corrected. A contract with
    settlements is kept (they protect it)."""

    add_form = GreenPowerContractForm
    editable_after_creation = ["seller", "trading_centre"]
    list_display = [
        "reference",
        "seller",
        "facility",
        "technology",
        "starts_on",
        "ends_on",
        "trading_centre",
    ]
    list_filter = ["technology", "facility", "trading_centre"]
    search_fields = ["reference", "seller", "gec_project_code", "facility__code"]
    list_select_related = ["facility"]


@admin.register(ContractSettlement)
class ContractSettlementAdmin(LockedYearAdminMixin, ServiceAdmin):
    """Read-only after creation; a wrong month is deleted and settled again, through the rules."""

    add_form = ContractSettlementForm
    locked_year_field = "year"  # not deleted while its year is locked
    list_display = ["contract", "year", "month", "kwh_column"]
    list_filter = ["year", "contract__facility", "contract"]
    search_fields = ["contract__reference", "contract__seller"]
    list_select_related = ["contract"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("settled kWh"), ordering="kwh")
    def kwh_column(self, settlement):
        return plain_number(settlement.kwh)


@admin.register(ContractGenerationDay)
class ContractGenerationDayAdmin(HistoryAdmin):
    """A contract's generation by day, read-only with its history.

    Written only by the generation upload, which checks the delivery period, the locked years,
    complete days and the replacement of stored days: a day typed in here would skip those.
    """

    list_display = ["contract", "day"]
    list_filter = ["contract"]
    search_fields = ["contract__reference"]
    list_select_related = ["contract"]
    date_hierarchy = "day"
    readonly_fields = ["contract", "day", *HOURS]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AllowanceTransaction)
class AllowanceTransactionAdmin(AddOnlyAdmin):
    add_form = AllowanceTransactionForm
    list_display = [
        "transacted_on",
        "facility",
        "compliance_year",
        "kind",
        "quantity",
        "price_per_t",
        "reference",
    ]
    list_filter = ["compliance_year", "kind", "facility"]
    search_fields = ["reference", "facility__code", "facility__name_en"]
    list_select_related = ["facility"]
    date_hierarchy = "transacted_on"

    @admin.display(description=_("allowances (tCO2)"), ordering="quantity_t")
    def quantity(self, allowance_transaction):
        return plain_number(allowance_transaction.quantity_t)
