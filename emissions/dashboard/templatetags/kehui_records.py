"""What a record's calculation assumed about its unit, for the record page (no queries)."""

from django import template

from emissions.activities.conversion import (
    Conversion,
    explain_conversion,
    fallback_note,
    standard_volume_note,
)

register = template.Library()


@register.simple_tag
def record_conversion(record) -> Conversion | None:
    """`{% record_conversion record as conversion %}`: the unit conversion, or None."""
    return explain_conversion(record)


@register.simple_tag
def record_unit_notes(record) -> list[str]:
    """`{% record_unit_notes record as notes %}`: a gas taken as Nm³, a non-Chinese factor."""
    notes = [standard_volume_note(record.unit, record.activity_type), fallback_note(record)]
    return [note for note in notes if note]
