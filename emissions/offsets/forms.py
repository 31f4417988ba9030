"""Add forms whose object is created by a service, so its rules and its messages apply."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .models import (
    AllowanceTransaction,
    ContractSettlement,
    CreditBatch,
    EnergyCertificate,
    GreenPowerContract,
    Retirement,
    RetirementReversal,
)


class ServiceCreateForm(forms.ModelForm):
    """Creates its object by calling `service` with the cleaned fields, as validation's last step.

    The fields are cleaned first; the service runs only when all of them are valid, so its
    errors land on the form and nothing is written when any check fails. The model's own
    validation (full_clean) runs inside the service, not a second time here, so that each
    rule speaks with the service's words. After is_valid(), `instance` is the saved object.
    """

    service = None  # a staticmethod taking the form's fields as keyword arguments

    def _post_clean(self):
        # Replaces ModelForm's model validation (construct_instance + instance.full_clean).
        if self.errors:
            return
        try:
            self.instance = self.service(**self.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                self.add_error(None, error)
                return
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


def _tonnes(value) -> str:
    """A quantity without trailing zeros, grouped per locale: 1,250 or 12.5."""
    return number_format(value.normalize(), force_grouping=True)


class BatchChoiceField(forms.ModelChoiceField):
    """A batch picker whose every option says what the batch was issued, retired and holds.

    The holdings come from the offsets selector as columns of the options' one query (not a
    query per option). With `holding_only`, batches with nothing left are not offered.
    """

    def __init__(self, queryset=None, *, holding_only=False, **kwargs):
        batches = CreditBatch.objects.all() if queryset is None else queryset
        batches = selectors.with_holdings(batches.select_related("project"))
        if holding_only:
            batches = batches.filter(remaining_t__gt=0)
        super().__init__(batches, **kwargs)

    def label_from_instance(self, batch):
        return batch_label(
            str(batch),
            batch.project.local_name,
            batch.quantity_t,
            batch.net_retired_t,
            batch.remaining_t,
        )


def batch_label(name: str, project: str, issued_t, retired_t, remaining_t) -> str:
    """A batch as a picker offers it: with what it was issued, has retired and still holds."""
    return _(
        "%(batch)s (%(project)s): issued %(issued)s t, retired %(retired)s t, "
        "remaining %(remaining)s t"
    ) % {
        "batch": name,
        "project": project,
        "issued": _tonnes(issued_t),
        "retired": _tonnes(retired_t),
        "remaining": _tonnes(remaining_t),
    }


class CreditBatchForm(ServiceCreateForm):
    service = staticmethod(services.add_credit_batch)

    class Meta:
        model = CreditBatch
        fields = [
            "project",
            "vintage_year",
            "quantity_t",
            "serial_first",
            "serial_last",
            "purchased_on",
            "price_per_t",
            "currency",
        ]


class RetirementForm(ServiceCreateForm):
    service = staticmethod(services.retire_credits)

    class Meta:
        model = Retirement
        fields = [
            "batch",
            "quantity_t",
            "retired_on",
            "claimed_year",
            "purpose",
            "registry_reference",
            "beneficiary_statement",
        ]


class RetirementReversalForm(ServiceCreateForm):
    service = staticmethod(services.reverse_retirement)

    class Meta:
        model = RetirementReversal
        fields = ["retirement", "quantity_t", "reversed_on", "reason"]


class EnergyCertificateForm(ServiceCreateForm):
    service = staticmethod(services.add_energy_certificates)
    # Read from the codes for GECs; the service asks for them for every other scheme.
    read_from_gec_codes = [
        "registry",
        "serial_first",
        "serial_last",
        "generation_start",
        "generation_end",
    ]

    class Meta:
        model = EnergyCertificate
        fields = [
            "scheme",
            "gec_code_first",
            "gec_code_last",
            "registry",
            "technology",
            "serial_first",
            "serial_last",
            "generation_start",
            "generation_end",
            "mwh",
            "facility",
            "market_country",
            "reporting_year",
            "kg_co2e_per_kwh",
        ]
        help_texts = {
            "gec_code_first": gettext_lazy(
                "GECs: the first and last 32-character codes of a range of one project and "
                "production month; the serial numbers, generation period and registry are read "
                "from them. Other schemes: leave empty."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.read_from_gec_codes:
            self.fields[name].required = False
        # Codes are pasted as documents print them, grouped by spaces or dashes: the input
        # must not cut them at 32 characters (the service reads and checks them).
        for name in ("gec_code_first", "gec_code_last"):
            self.fields[name].max_length = 64
            self.fields[name].widget.attrs["maxlength"] = "64"
            self.fields[name].validators = []


class AllowanceTransactionForm(ServiceCreateForm):
    service = staticmethod(services.record_allowance_transaction)

    class Meta:
        model = AllowanceTransaction
        fields = [
            "facility",
            "compliance_year",
            "kind",
            "quantity_t",
            "transacted_on",
            "price_per_t",
            "reference",
        ]


class GreenPowerContractForm(ServiceCreateForm):
    service = staticmethod(services.add_green_power_contract)

    class Meta:
        model = GreenPowerContract
        fields = [
            "reference",
            "seller",
            "trading_centre",
            "technology",
            "gec_project_code",
            "facility",
            "market_country",
            "starts_on",
            "ends_on",
        ]


class ContractSettlementForm(ServiceCreateForm):
    service = staticmethod(services.record_settlement)

    class Meta:
        model = ContractSettlement
        fields = ["contract", "year", "month", "kwh"]
