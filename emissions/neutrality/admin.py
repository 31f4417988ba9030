"""Admin for targets and reduction initiatives, with their history."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from emissions.history_admin import HistoryAdmin

from .models import ReductionInitiative, Restatement, Target


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = [
        "name",
        "name_zh",
        "kind",
        "base_year",
        "target_year",
        "reduction_pct",
        "renewable_share_pct",
        "covers_scope1",
        "covers_scope2",
        "scope2_method",
        "scope3_coverage",
    ]
    list_filter = ["kind", "scope2_method", "covers_scope1", "covers_scope2", "target_year"]
    search_fields = ["name", "name_zh"]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "kind"]}),
        (
            _("Years and levels"),
            {
                "fields": [
                    "base_year",
                    "base_year_gross_t",
                    "target_year",
                    "reduction_pct",
                    "renewable_share_pct",
                ]
            },
        ),
        (
            _("Coverage"),
            {"fields": ["covers_scope1", "covers_scope2", "scope2_method", "scope3_categories"]},
        ),
    ]

    @admin.display(description=_("Scope 3 categories"))
    def scope3_coverage(self, target: Target) -> str:
        return ", ".join(target.scope3_categories) or "—"


@admin.register(ReductionInitiative)
class ReductionInitiativeAdmin(HistoryAdmin):
    list_display = [
        "title",
        "title_zh",
        "facility",
        "kind",
        "status",
        "start_date",
        "expected_abatement_t_per_year",
        "capex",
        "annual_saving",
        "lifetime_years",
        "cost_per_tonne",
    ]
    list_filter = ["status", "kind", "facility", "currency"]
    search_fields = [
        "title",
        "title_zh",
        "facility__code",
        "facility__name_en",
        "facility__name_zh",
    ]
    list_select_related = ["facility"]
    fieldsets = [
        (None, {"fields": ["title", "title_zh", "facility", "kind", "status", "start_date"]}),
        (_("Abatement"), {"fields": ["expected_abatement_t_per_year", "lifetime_years"]}),
        (_("Cost"), {"fields": ["capex", "annual_saving", "currency"]}),
    ]

    @admin.display(description=_("abatement cost per tCO2e"))
    def cost_per_tonne(self, initiative: ReductionInitiative) -> str:
        # (capex ÷ lifetime − annual saving) ÷ tonnes a year: negative means it saves money.
        cost = number_format(initiative.abatement_cost_per_t, 2)
        return f"{cost} {initiative.currency}"


@admin.register(Restatement)
class RestatementAdmin(admin.ModelAdmin):
    """Restatements are made by loading a factor dataset and decided on their own page.

    The admin lists them (read only) and sends "add" to the load page: a restatement is never
    typed in, and its preview and decision are the page's (with their permission checks).
    """

    list_display = [
        "id",
        "dataset",
        "status",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    readonly_fields = [field.name for field in Restatement._meta.fields]

    def has_add_permission(self, request):
        return request.user.has_perms(["factors.add_factordataset", "factors.add_emissionfactor"])

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("dashboard:restatement_load")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read only: the page shows it; nobody edits a restatement here.
        if request.method not in ("GET", "HEAD") or not self.has_view_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404
        return redirect("dashboard:restatement", pk=int(object_id))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
