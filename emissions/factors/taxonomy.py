"""GHG Protocol scopes and categories (Corporate Standard; Scope 3 Standard's 15 categories)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.IntegerChoices):
    SCOPE_1 = 1, _("Scope 1 — direct")
    SCOPE_2 = 2, _("Scope 2 — purchased energy")
    SCOPE_3 = 3, _("Scope 3 — value chain")


class Category(models.TextChoices):
    # Scope 1
    STATIONARY_COMBUSTION = "s1_stationary", _("Stationary combustion")
    MOBILE_COMBUSTION = "s1_mobile", _("Mobile combustion")
    PROCESS = "s1_process", _("Process emissions")
    FUGITIVE = "s1_fugitive", _("Fugitive emissions")
    # Scope 2
    PURCHASED_ELECTRICITY = "s2_electricity", _("Purchased electricity")
    PURCHASED_HEAT = "s2_heat", _("Purchased heat")
    PURCHASED_STEAM = "s2_steam", _("Purchased steam")
    PURCHASED_COOLING = "s2_cooling", _("Purchased cooling")
    # Scope 3, numbered as in the GHG Protocol Scope 3 Standard
    C1 = "s3_01", _("3.1 Purchased goods and services")
    C2 = "s3_02", _("3.2 Capital goods")
    C3 = "s3_03", _("3.3 Fuel- and energy-related activities")
    C4 = "s3_04", _("3.4 Upstream transportation and distribution")
    C5 = "s3_05", _("3.5 Waste generated in operations")
    C6 = "s3_06", _("3.6 Business travel")
    C7 = "s3_07", _("3.7 Employee commuting")
    C8 = "s3_08", _("3.8 Upstream leased assets")
    C9 = "s3_09", _("3.9 Downstream transportation and distribution")
    C10 = "s3_10", _("3.10 Processing of sold products")
    C11 = "s3_11", _("3.11 Use of sold products")
    C12 = "s3_12", _("3.12 End-of-life treatment of sold products")
    C13 = "s3_13", _("3.13 Downstream leased assets")
    C14 = "s3_14", _("3.14 Franchises")
    C15 = "s3_15", _("3.15 Investments")


def scope_of(category: str) -> int:
    """The scope a category belongs to, read from its code prefix (s1_, s2_, s3_)."""
    return int(category[1])


CATEGORIES_BY_SCOPE = {
    scope: [c for c in Category if scope_of(c.value) == scope] for scope in (1, 2, 3)
}
