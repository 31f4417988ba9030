"""Checks a carbon-neutrality claim for one year should pass (after ISO 14068-1:2023).

Each check returns a ClaimCheck: a stable code, whether it passed, and a message for the page.
Informational checks report a figure the standard asks to disclose; they pass or fail but are
not conditions of the claim, and their message says so.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emissions.offsets.models import Retirement, RetirementPurpose

from .selectors import KG_PER_TONNE, YearBalance


@dataclass(frozen=True)
class ClaimCheck:
    code: str
    passed: bool
    message: str
    informational: bool = False


RETIRED_IN_TIME = "retired_within_12_months"
VINTAGE = "vintage_not_after_claim"
REMOVAL_SHARE = "removal_share"
ALLOWANCES_EXCLUDED = "allowances_excluded"
REDUCTIONS = "reductions_not_offsets_only"


def neutrality_retirements(year: int) -> QuerySet:
    """Retirements claimed for the year's neutrality that reversals have not fully undone."""
    return (
        Retirement.objects.filter(purpose=RetirementPurpose.NEUTRALITY, claimed_year=year)
        .select_related("batch__project")
        .annotate(
            reversed_t=Coalesce(
                Sum("reversals__quantity_t"),
                Value(0),
                output_field=DecimalField(max_digits=16, decimal_places=3),
            )
        )
        .filter(quantity_t__gt=F("reversed_t"))
        .order_by("retired_on", "pk")
    )


def check_year(balance: YearBalance) -> list[ClaimCheck]:
    """Every claim check of one year's balance, with its retirements read from the database."""
    return check_claims(balance, list(neutrality_retirements(balance.year)))


def check_claims(balance: YearBalance, retirements) -> list[ClaimCheck]:
    """Every claim check of one year's balance and the retirements claimed for it."""
    # Retirements for ETS compliance never support a neutrality claim, whoever passes them in.
    retirements = [r for r in retirements if r.purpose == RetirementPurpose.NEUTRALITY]
    return [
        check_retired_in_time(balance.year, retirements),
        check_vintages(balance.year, retirements),
        check_removal_share(balance),
        check_allowances_excluded(balance),
        check_reductions(balance),
    ]


def retirement_deadline(year: int) -> dt.date:
    """The last day a retirement still counts for `year`: 12 months after the period ends."""
    return dt.date(year + 1, 12, 31)


def vintage_too_new(vintage_year: int, *, claimed_year: int, retired_on: dt.date) -> bool:
    """Whether a credit's vintage is later than its retirement or the year it is claimed for."""
    return vintage_year > retired_on.year or vintage_year > claimed_year


def check_retired_in_time(year: int, retirements) -> ClaimCheck:
    """Credits must be retired no later than 12 months after the period ends."""
    deadline = retirement_deadline(year)
    late = [r for r in retirements if r.retired_on > deadline]
    if late:
        return ClaimCheck(
            RETIRED_IN_TIME,
            False,
            _(
                "Credits for %(year)s must be retired by %(deadline)s, within 12 months after "
                "the period ends; these were retired later: %(late)s."
            )
            % {"year": year, "deadline": deadline.isoformat(), "late": _describe(late)},
        )
    return ClaimCheck(
        RETIRED_IN_TIME,
        True,
        _(
            "All credits claimed for %(year)s were retired by %(deadline)s, within 12 months "
            "after the period ended."
        )
        % {"year": year, "deadline": deadline.isoformat()},
    )


def check_vintages(year: int, retirements) -> ClaimCheck:
    """A credit's vintage may not be later than its retirement, nor than the year claimed."""
    too_new = [
        r
        for r in retirements
        if vintage_too_new(r.batch.vintage_year, claimed_year=year, retired_on=r.retired_on)
    ]
    if too_new:
        return ClaimCheck(
            VINTAGE,
            False,
            _(
                "A credit's vintage cannot be later than the year it was retired in or the "
                "year %(year)s it is claimed for: %(credits)s."
            )
            % {"year": year, "credits": _describe(too_new, with_vintage=True)},
        )
    return ClaimCheck(
        VINTAGE,
        True,
        _(
            "Every credit claimed for %(year)s has a vintage no later than its retirement and "
            "no later than %(year)s."
        )
        % {"year": year},
    )


def check_removal_share(balance: YearBalance) -> ClaimCheck:
    """Disclose the share of removals among the credits (informational)."""
    if not balance.credits_kg:
        return ClaimCheck(
            REMOVAL_SHARE,
            False,
            _(
                "No credits were retired for %(year)s, so there is no share of removals. "
                "This check is informational."
            )
            % {"year": balance.year},
            informational=True,
        )
    share = (balance.credits_removal_kg * 100 / balance.credits_kg).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return ClaimCheck(
        REMOVAL_SHARE,
        share > 0,
        _(
            "Removals are %(share)s %% of the credits for %(year)s (%(removal)s t of "
            "%(total)s t). This check is informational: it passes when any removals are "
            "included, as ISO 14068-1 expects their share to grow over time."
        )
        % {
            "share": number_format(share, 1),
            "year": balance.year,
            "removal": _tonnes(balance.credits_removal_kg),
            "total": _tonnes(balance.credits_kg),
        },
        informational=True,
    )


def check_allowances_excluded(balance: YearBalance) -> ClaimCheck:
    """ETS allowances are compliance instruments: never counted toward neutrality."""
    return ClaimCheck(
        ALLOWANCES_EXCLUDED,
        True,
        _(
            "ETS allowances are never counted toward neutrality: the %(surrendered)s t "
            "surrendered for %(year)s, and credits retired for ETS compliance, are shown apart "
            "and not subtracted."
        )
        % {"surrendered": number_format(balance.ets_surrendered_t, 3), "year": balance.year},
    )


def check_reductions(balance: YearBalance) -> ClaimCheck:
    """A neutrality claim must rest on reductions too, not on offsets alone."""
    if not balance.is_neutral:
        return ClaimCheck(
            REDUCTIONS,
            True,
            _("No neutrality claim is made for %(year)s: net emissions are above zero.")
            % {"year": balance.year},
        )
    if balance.base_gross_kg is None:
        return ClaimCheck(
            REDUCTIONS,
            True,
            _(
                "There are no base-year (%(base_year)s) emissions to compare %(year)s with, so "
                "reductions could not be checked."
            )
            % {"base_year": balance.base_year, "year": balance.year},
        )
    values = {
        "year": balance.year,
        "base_year": balance.base_year,
        "gross": _tonnes(balance.gross_kg),
        "base": _tonnes(balance.base_gross_kg),
    }
    if balance.gross_kg >= balance.base_gross_kg:
        return ClaimCheck(
            REDUCTIONS,
            False,
            _(
                "Gross emissions in %(year)s (%(gross)s t) are not below the base year "
                "%(base_year)s (%(base)s t): the neutrality claim would rest on offsets alone, "
                "with no reduction."
            )
            % values,
        )
    return ClaimCheck(
        REDUCTIONS,
        True,
        _(
            "Gross emissions in %(year)s (%(gross)s t) are below the base year %(base_year)s "
            "(%(base)s t): the claim rests on reductions as well as credits."
        )
        % values,
    )


def _tonnes(kg: Decimal) -> str:
    # Rounded here: number_format cuts extra decimals off (26.65885798 → "26.658").
    tonnes = (kg / KG_PER_TONNE).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return number_format(tonnes, 3, force_grouping=True)


def _describe(retirements, *, with_vintage=False) -> str:
    if with_vintage:
        parts = [
            _("%(reference)s (vintage %(vintage)s, retired %(date)s)")
            % {
                "reference": r.registry_reference,
                "vintage": r.batch.vintage_year,
                "date": r.retired_on.isoformat(),
            }
            for r in retirements
        ]
    else:
        parts = [
            _("%(reference)s (retired %(date)s)")
            % {"reference": r.registry_reference, "date": r.retired_on.isoformat()}
            for r in retirements
        ]
    return ", ".join(parts)
