"""The year and facility filter every dashboard page shares (GET parameters, bookmarkable)."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from emissions.activities.selectors import years_with_records
from emissions.facilities.models import Facility

from .widgets import QuickSelect


class YearFacilityForm(forms.Form):
    # Not given (or empty) is None, never "": pages tell "no year asked for" by `is None`.
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    facility = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All facilities"),
        widget=QuickSelect,
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in reversed(years)]


@dataclass
class PageFilter:
    form: YearFacilityForm
    years: list[int]
    year: int | None
    facility: Facility | None
    # The year the query asked for, when it asked for a valid one; `year` falls back to a default.
    asked_year: int | None = None
    # Bad values are ignored, each with a message saying what was ignored.
    ignored: list[str] = field(default_factory=list)

    @property
    def facility_ids(self) -> list[int] | None:
        return None if self.facility is None else [self.facility.pk]

    def query(self, **extra) -> str:
        """This filter as a query string, plus extra parameters (for links to the ledger)."""
        from urllib.parse import urlencode

        params = {}
        if self.year is not None:
            params["year"] = self.year
        if self.facility is not None:
            params["facility"] = self.facility.code
        params.update({key: value for key, value in extra.items() if value not in (None, "")})
        return urlencode(params)


def page_filter(request, *, default_year: int | None = None) -> PageFilter:
    """The filter the request's query asks for; without a year, `default_year` or the latest."""
    years = years_with_records()
    form = YearFacilityForm(request.GET or None, years=years)
    year = default_year if default_year in years else (years[-1] if years else None)
    facility = None
    asked_year = None
    ignored = []
    if form.is_bound:
        form.is_valid()
        for name, errors in form.errors.items():
            label = form.fields[name].label
            ignored.append(
                _("Ignored %(field)s “%(value)s”: %(error)s")
                % {"field": label, "value": request.GET.get(name, ""), "error": errors[0]}
            )
        cleaned = getattr(form, "cleaned_data", {})
        asked_year = cleaned.get("year")
        if asked_year is not None:
            year = asked_year
        facility = cleaned.get("facility")
    return PageFilter(
        form=form,
        years=years,
        year=year,
        facility=facility,
        asked_year=asked_year,
        ignored=ignored,
    )
