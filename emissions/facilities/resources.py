"""Import and export of facilities (django-import-export), validated like the admin form."""

import re

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets

from .models import Facility

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"); plain numbers are fine.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise_formula(value):
    """Prefix text that a spreadsheet would evaluate with an apostrophe: "=cmd" → "'=cmd"."""
    formula = isinstance(value, str) and value.startswith(FORMULA_START)
    if formula and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class ValidatedModelResource(resources.ModelResource):
    """A resource whose rows pass the model's full validation, all-or-nothing.

    Every row is validated with full_clean (fields, clean(), unique checks and constraints);
    fields the model computes itself (editable=False) are left to it. A file with any invalid
    row writes nothing: the whole import is rolled back. Exported text cells that a
    spreadsheet would evaluate as a formula are neutralised.
    """

    def import_data(self, dataset, *args, rollback_on_validation_errors=True, **kwargs):
        return super().import_data(
            dataset, *args, rollback_on_validation_errors=rollback_on_validation_errors, **kwargs
        )

    def export_field(self, field, instance, **kwargs):
        # IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "="; +, - and @ start
        # formulae too.
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        computed = [
            field.name
            for field in instance._meta.concrete_fields
            if not field.editable and not field.primary_key
        ]
        try:
            instance.full_clean(exclude=[*errors, *computed], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class LookupWidget(widgets.ForeignKeyWidget):
    """A ForeignKeyWidget whose unknown value is a row error naming the value, not a crash.

    `label` names the looked-up field in that message when `field` is a lookup across a
    relation (e.g. "facility code" for "facility__code").
    """

    def __init__(self, model, field="pk", *args, label=None, **kwargs):
        super().__init__(model, field, *args, **kwargs)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("No %(model)s with %(field)s “%(value)s”.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.label or self.field,
                    "value": value,
                }
            ) from None


class FacilityResource(ValidatedModelResource):
    class Meta:
        model = Facility
        import_id_fields = ["code"]
        fields = [
            "code",
            "name_en",
            "name_zh",
            "kind",
            "address",
            "country",
            "province",
            "grid_region",
            "ownership_share",
            "opened_on",
            "closed_on",
            "is_active",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
