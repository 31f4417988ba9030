"""The supplier's form (no account): one answer per requested product, plus evidence files."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emissions.evidence import files as evidence_files

from .models import Boundary, LineKind, Method, Verification
from .services import LineInput

MAX_FILES = 5
AMOUNT = {"max_digits": 24, "decimal_places": 6, "min_value": 0, "required": False}


class ProductAnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What can you give?"), choices=LineKind.choices, widget=forms.RadioSelect
    )
    kg_co2e_per_unit = forms.DecimalField(label=_("kg CO2e per declared unit"), **AMOUNT)
    data_year = forms.IntegerField(
        label=_("Year the footprint describes"), min_value=1990, max_value=2100, required=False
    )
    boundary = forms.ChoiceField(
        label=_("Boundary"), choices=[("", "—"), *Boundary.choices], required=False
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=[("", "—"), *Method.choices], required=False
    )
    verification = forms.ChoiceField(
        label=_("Verification"), choices=[("", "—"), *Verification.choices], required=False
    )
    verifier = forms.CharField(label=_("Verifier"), max_length=200, required=False)
    electricity_kwh = forms.DecimalField(label=_("Electricity used (kWh)"), **AMOUNT)
    natural_gas_m3 = forms.DecimalField(label=_("Natural gas used (Nm³)"), **AMOUNT)
    coal_t = forms.DecimalField(label=_("Coal used (t)"), **AMOUNT)
    output_quantity = forms.DecimalField(label=_("Output in the declared unit"), **AMOUNT)

    FOOTPRINT_FIELDS = ("kg_co2e_per_unit", "data_year", "boundary", "method", "verification")
    ENERGY_FIELDS = ("electricity_kwh", "natural_gas_m3", "coal_t", "output_quantity")

    def __init__(self, *args, product, year: int, **kwargs):
        super().__init__(*args, prefix=f"p{product.pk}", **kwargs)
        self.product = product
        self.fields["data_year"].initial = year

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == LineKind.FOOTPRINT:
            if data.get("data_year") is None and "data_year" not in self.errors:
                data["data_year"] = self.fields["data_year"].initial
            year = data.get("data_year")
            if year is not None and year > self.fields["data_year"].initial:
                self.add_error(
                    "data_year",
                    _("A footprint of %(year)s cannot describe the data of %(asked)s.")
                    % {"year": year, "asked": self.fields["data_year"].initial},
                )
            for name in self.FOOTPRINT_FIELDS:
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Needed for a footprint."))
            if data.get("verification") == Verification.THIRD_PARTY and not data.get("verifier"):
                self.add_error("verifier", _("Name the verifier."))
        elif kind == LineKind.ENERGY:
            for name in self.ENERGY_FIELDS:
                if data.get(name) is None:
                    data[name] = 0 if name != "output_quantity" else None
            if not data.get("output_quantity"):
                self.add_error("output_quantity", _("Give the output, above zero."))
            if not any(data.get(name) for name in self.ENERGY_FIELDS[:3]):
                self.add_error("electricity_kwh", _("Give at least one amount of energy."))
        return data

    def line(self) -> LineInput:
        data = self.cleaned_data
        names = self.FOOTPRINT_FIELDS + ("verifier",)
        if data["kind"] == LineKind.ENERGY:
            names = self.ENERGY_FIELDS
        return LineInput(self.product.pk, data["kind"], {name: data[name] for name in names})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class SubmissionForm(forms.Form):
    contact_name = forms.CharField(label=_("Your name"), max_length=100)
    notes = forms.CharField(
        label=_("Notes for Kehui"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    files = MultipleFileField(
        label=_("Reports or certificates (PDF, PNG or JPEG, up to 5 files of 10 MB)"),
        required=False,
    )

    def clean_files(self):
        uploads = self.cleaned_data.get("files") or []
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)s files.") % {"count": MAX_FILES}, code="too_many"
            )
        checked, problems = [], []
        for upload in uploads:
            try:
                checked.append((upload, evidence_files.check(upload)))
            except ValidationError as error:
                problems.append(
                    f"{evidence_files.clean_name(upload.name)}: {' '.join(error.messages)}"
                )
        if problems:
            raise ValidationError(problems)
        return checked
