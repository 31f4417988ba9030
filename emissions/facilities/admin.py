from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin
from emissions.recalculation_notice import RecalculationNoticeMixin

from . import periods_admin  # noqa: F401  (registers the reporting-year lock log)
from .forms import OrganisationForm
from .models import Facility, FacilityOutput, Organisation
from .resources import FacilityResource

GRID_REGION_HELP = _(
    "Grid electricity is rated with the facility's province first: a provincial factor of "
    "another year (the latest earlier year, else the earliest later one, flagged on the "
    "record) is preferred to the regional grid's. The regional grid's factor is used only "
    "when the factor library has no factor at all for the province; without one either, the "
    "national factor, then a global default."
)


@admin.register(Organisation)
class OrganisationAdmin(RecalculationNoticeMixin, HistoryAdmin):
    form = OrganisationForm
    list_display = ["name_en", "name_zh", "consolidation_approach", "gwp_basis", "base_year"]
    fieldsets = [
        (None, {"fields": ["name_en", "name_zh", "reporting_currency"]}),
        (
            _("Inventory rules"),
            {
                "fields": [
                    "consolidation_approach",
                    "gwp_basis",
                    "base_year",
                    "restatement_threshold_pct",
                    "electricity_series",
                    "flight_radiative_forcing",
                    "count_internal_removals",
                ]
            },
        ),
        (
            _("Scope 2 and green power"),
            {
                "fields": [
                    "residual_mix",
                    "market_scope2_matching",
                    "green_power_target_pct",
                    "green_power_target_basis",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        # There is exactly one profile; add it only while none exists.
        return super().has_add_permission(request) and not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Facility)
class FacilityAdmin(ImportAdminMixin, HistoryAdmin):
    resource_classes = [FacilityResource]
    list_display = [
        "code",
        "name_en",
        "name_zh",
        "kind",
        "province",
        "grid_region",
        "country",
        "ownership_share",
        "opened_on",
        "closed_on",
        "is_active",
    ]
    list_display_links = ["code", "name_en"]
    list_filter = ["is_active", "kind", "country", "grid_region", "province"]
    search_fields = ["code", "name_en", "name_zh", "address"]
    ordering = ["code"]
    date_hierarchy = "opened_on"
    fieldsets = [
        (None, {"fields": ["code", "name_en", "name_zh", "kind", "is_active"]}),
        (_("Location"), {"fields": ["address", "country", "province", "grid_region"]}),
        (_("Boundary"), {"fields": ["ownership_share", "opened_on", "closed_on"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The rule as factors/choice.py applies it (the region first, then the year within it);
        # said here rather than in the model's help_text, which would need a migration.
        if db_field.name == "grid_region":
            kwargs["help_text"] = GRID_REGION_HELP
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(FacilityOutput)
class FacilityOutputAdmin(HistoryAdmin):
    list_display = ["facility", "year", "metric", "value", "unit"]
    list_filter = ["metric", "year", "facility"]
    search_fields = ["facility__code", "facility__name_en"]
    list_select_related = ["facility"]
