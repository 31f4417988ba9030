"""Reads of facilities for pages and exports."""

from django.db.models import QuerySet

from .models import Facility


def facilities_for_listing(*, include_inactive: bool = True) -> QuerySet[Facility]:
    facilities = Facility.objects.order_by("code")
    if not include_inactive:
        facilities = facilities.filter(is_active=True)
    return facilities
