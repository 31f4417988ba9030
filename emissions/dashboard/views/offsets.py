"""The offsets and certificates page: credits, own planting, certificates, ETS allowances;
the selected year's gap to neutrality and a form to retire credits toward it."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from emissions.neutrality.claims import vintage_too_new
from emissions.neutrality.gap import NeutralityGap
from emissions.offsets import services
from emissions.offsets.forms import BatchChoiceField, ServiceCreateForm, batch_label
from emissions.offsets.models import Retirement

from .. import permissions as perms
from ..filters import PageFilter, page_filter
from ..pages.offsets import OFFSETS, build_offsets_page
from ..tables import build_tables
from ..widgets import QuickSelect
from .common import page_template, table_download

FIRST_YEAR, LAST_YEAR = 1990, 2100  # as the retirement's own check constraint


class RetireForm(ServiceCreateForm):
    """Retire credits toward one year's neutrality claim, through the offsets service."""

    service = staticmethod(services.retire_credits)  # purpose: neutrality, its default

    batch = BatchChoiceField(
        holding_only=True,
        label=gettext_lazy("Batch"),
        widget=QuickSelect,  # the same HTML as Select's, without a template per option
        error_messages={
            "required": gettext_lazy("Choose the batch to retire credits from."),
            "invalid_choice": gettext_lazy(
                "Choose one of the batches listed: that batch does not exist or holds no "
                "credits any more."
            ),
        },
    )
    claimed_year = forms.IntegerField(
        label=gettext_lazy("Reporting year claimed for"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "required": gettext_lazy("Enter the reporting year the credits are retired for."),
            "invalid": gettext_lazy("Enter the reporting year as a number, e.g. 2024."),
            "min_value": gettext_lazy("Enter a reporting year from 1990 to 2100."),
            "max_value": gettext_lazy("Enter a reporting year from 1990 to 2100."),
        },
    )

    class Meta:
        model = Retirement
        fields = [
            "batch",
            "quantity_t",
            "claimed_year",
            "retired_on",
            "registry_reference",
            "beneficiary_statement",
        ]
        widgets = {
            # The browser's date picker reads and sends ISO dates, whatever the language.
            "retired_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "beneficiary_statement": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, gap: NeutralityGap | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if gap is not None and not self.is_bound:
            # Offer only what could count for the page's year (the gap applied the rules), as
            # the gap card lists them, removals first. The gap has read them with their
            # balances: the options need no query of their own. A submitted form is checked
            # against the database (the field's queryset), never against these.
            field = self.fields["batch"]
            field.choices = [("", field.empty_label)] + [
                (
                    b.batch_id,
                    batch_label(b.name, b.project_name, b.issued_t, b.retired_t, b.remaining_t),
                )
                for b in gap.offered
            ]

    def clean(self):
        cleaned = super().clean()
        batch, year = cleaned.get("batch"), cleaned.get("claimed_year")
        retired_on = cleaned.get("retired_on")
        known = batch and year and retired_on
        if known and vintage_too_new(batch.vintage_year, claimed_year=year, retired_on=retired_on):
            self.add_error(
                "batch",
                _(
                    "Batch %(batch)s is of vintage %(vintage)s, later than the year claimed "
                    "(%(year)s) or the retirement date (%(date)s): its credits cannot count "
                    "for %(year)s."
                )
                % {
                    "batch": batch,
                    "vintage": batch.vintage_year,
                    "year": year,
                    "date": retired_on.isoformat(),
                },
            )
        return cleaned


def _page(
    request: HttpRequest,
    selected: PageFilter,
    *,
    form: RetireForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page for the filter's year; the retire form (as submitted) for who may retire."""
    page = build_offsets_page(year=selected.year)
    if form is None and page.gap is not None and request.user.has_perm(perms.RETIRE_CREDITS):
        initial = {"claimed_year": page.year, "retired_on": timezone.localdate()}
        form = RetireForm(initial=initial, gap=page.gap)
    context = {
        "filter": selected,
        "page": page,
        "tables": build_tables(OFFSETS, page),
        "retire_form": form,
    }
    template = page_template(request, "dashboard/offsets.html")
    return render(request, template, context, status=status)


@require_safe
@permission_required(perms.VIEW_CREDITS, raise_exception=True)
def offsets(request: HttpRequest) -> HttpResponse:
    # Only the year applies: instruments belong to the whole organisation.
    return _page(request, page_filter(request))


@require_POST
@permission_required(perms.VIEW_CREDITS, raise_exception=True)
@permission_required(perms.RETIRE_CREDITS, raise_exception=True)
def offsets_retire(request: HttpRequest) -> HttpResponse:
    """Retire credits through the offsets service; its refusals show on the form."""
    # The year the page showed comes in the form's address; the claimed year in its fields.
    selected = page_filter(request)
    form = RetireForm(request.POST)
    if not form.is_valid():  # the service ran (and wrote) only if every check passed
        return _page(request, selected, form=form, status=400)
    retirement = form.instance
    messages.success(
        request,
        _("Retired %(quantity)s tCO2e from batch %(batch)s for %(year)s.")
        % {
            "quantity": f"{retirement.quantity_t.normalize():f}",
            "batch": retirement.batch,
            "year": retirement.claimed_year,
        },
    )
    year = retirement.claimed_year if retirement.claimed_year in selected.years else selected.year
    query = urlencode({"year": year}) if year is not None else ""
    return redirect(f"{reverse('dashboard:offsets')}?{query}" if query else "dashboard:offsets")


@require_safe
@permission_required(perms.VIEW_CREDITS, raise_exception=True)
def offsets_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX; like the page's, they show every year."""
    return table_download(
        fmt,
        OFFSETS.get(table),
        lambda: build_offsets_page(year=page_filter(request).year),
        lambda page: ("kehui-offsets", table),
    )


urlpatterns = [
    path("offsets/", offsets, name="offsets"),
    path("offsets/retire/", offsets_retire, name="offsets_retire"),
    path("offsets/export/<slug:table>.<str:fmt>", offsets_export, name="offsets_export"),
]
