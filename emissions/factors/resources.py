"""Import and export of emission factors: the organisation's own, never the shipped library."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from emissions.facilities.resources import LookupWidget, ValidatedModelResource

from .models import EmissionFactor, FactorDataset

FACTOR_COLUMNS = [
    "key",
    "name",
    "dataset",
    "group",
    "series",
    "category",
    "unit",
    "region",
    "year",
    "co2_kg",
    "ch4_kg",
    "n2o_kg",
    "biogenic_co2_kg",
    "co2e_kg",
    "co2e_gwp_basis",
    "source_reference",
    "notes",
]


class EmissionFactorResource(ValidatedModelResource):
    """Custom factors by key; a row for a shipped factor or into a shipped dataset is an error."""

    dataset = fields.Field(
        attribute="dataset",
        column_name="dataset",
        widget=LookupWidget(FactorDataset, field="name"),
    )

    class Meta:
        model = EmissionFactor
        import_id_fields = ["key"]
        fields = FACTOR_COLUMNS
        export_order = FACTOR_COLUMNS
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_instance(self, instance, row, **kwargs):
        if not instance._state.adding and instance.dataset.is_shipped:
            # Shipped factors belong to load_factors; they are not changed by a file either.
            raise ValidationError(
                {
                    "key": _(
                        "Factor %(key)s is shipped with Kehui Carbon (dataset %(dataset)s) "
                        "and cannot be changed by an import."
                    )
                    % {"key": instance.key, "dataset": instance.dataset}
                }
            )
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        dataset = instance.dataset if instance.dataset_id is not None else None
        if dataset is not None and dataset.is_shipped:
            errors.setdefault("dataset", []).append(
                ValidationError(
                    _(
                        "Dataset %(dataset)s is shipped with Kehui Carbon; import factors into "
                        "one of the organisation's own datasets."
                    )
                    % {"dataset": dataset}
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_queryset(self):
        return super().get_queryset().select_related("dataset")
