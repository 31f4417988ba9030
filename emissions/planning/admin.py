"""Expected data streams are set here by administrators: which facility reports which
activity type, how often, by which day, and who owes it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emissions.history_admin import HistoryAdmin

from .models import ExpectedStream, Scenario, ScenarioMeasure


@admin.register(ExpectedStream)
class ExpectedStreamAdmin(HistoryAdmin):
    list_display = [
        "facility", "activity_type", "frequency", "owner", "due_day", "starts_on", "ends_on",
    ]  # fmt: skip
    list_filter = ["frequency", "facility", "owner"]
    list_select_related = ["facility", "activity_type", "owner"]
    search_fields = [
        "facility__code",
        "facility__name_en",
        "activity_type__name",
        "owner__username",
    ]


class ScenarioMeasureInline(admin.TabularInline):
    model = ScenarioMeasure
    extra = 0
    fields = [
        "title", "title_zh", "kind", "facility", "start_year", "amount", "full_load_hours", "capex",
        "annual_cost", "lifetime_years",
    ]  # fmt: skip
    autocomplete_fields = ["facility"]


@admin.register(Scenario)
class ScenarioAdmin(HistoryAdmin):
    """Forecast scenarios: the assumptions they change and the measures they add. The forecast
    page shows the one marked as the plan; the comparison sets them side by side."""

    list_display = ["name", "is_plan", "grid_change_pct", "include_ideas", "removal_price"]
    list_filter = ["is_plan", "include_ideas"]
    search_fields = ["name", "name_zh"]
    inlines = [ScenarioMeasureInline]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "note", "is_plan"]}),
        (_("Emissions"), {"fields": ["grid_change_pct", "include_ideas"]}),
        (
            _("Offsets budget"),
            {
                "fields": [
                    "currency",
                    "avoidance_price",
                    "removal_price",
                    "price_change_pct",
                    "removals_share_start_pct",
                    "removals_share_end_pct",
                ]
            },
        ),
    ]
