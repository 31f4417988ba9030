"""Targets (with their pathways) and reduction initiatives."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.facilities.models import Facility
from emissions.facilities.names import in_page_language
from emissions.factors.taxonomy import CATEGORIES_BY_SCOPE


class TargetKind(models.TextChoices):
    ABSOLUTE_REDUCTION = "absolute", _("Absolute reduction vs base year")
    CARBON_NEUTRALITY = "neutrality", _("Carbon neutrality")
    NET_ZERO = "net_zero", _("Net zero")
    RENEWABLE_SHARE = "renewable_share", _("Renewable electricity share")


class Scope2Method(models.TextChoices):
    MARKET = "market", _("Market-based")
    LOCATION = "location", _("Location-based")


class Target(models.Model):
    # `name` is the English name (it kept the column it had before the Chinese one came).
    name = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind)
    base_year = models.PositiveSmallIntegerField(_("base year"))
    base_year_gross_t = models.DecimalField(
        _("base-year gross emissions (tCO2e)"),
        max_digits=16,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the inventory's own base-year total."),
    )
    target_year = models.PositiveSmallIntegerField(_("target year"))
    reduction_pct = models.DecimalField(
        _("reduction (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For absolute-reduction and net-zero targets."),
    )
    renewable_share_pct = models.DecimalField(
        _("renewable electricity share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    covers_scope1 = models.BooleanField(_("covers Scope 1"), default=True)
    covers_scope2 = models.BooleanField(_("covers Scope 2"), default=True)
    scope2_method = models.CharField(
        _("Scope 2 method"), max_length=10, choices=Scope2Method, default=Scope2Method.MARKET
    )
    scope3_categories = models.JSONField(
        _("Scope 3 categories covered"),
        default=list,
        blank=True,
        help_text=_('Category codes, e.g. ["s3_06", "s3_05"].'),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["target_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__gt=F("base_year")),
                name="target_year_after_base_year",
                violation_error_message=_("The target year must come after the base year."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["absolute", "net_zero"]) | Q(reduction_pct__isnull=False),
                name="target_reduction_needs_a_percentage",
                violation_error_message=_("A reduction target needs its reduction percentage."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="renewable_share") | Q(renewable_share_pct__isnull=False),
                name="target_renewable_share_needs_a_percentage",
                violation_error_message=_("A renewable-share target needs its share."),
            ),
        ]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the page's language (the other one when it has none)."""
        return in_page_language(self.name, self.name_zh)

    def clean(self):
        known = {category.value for category in CATEGORIES_BY_SCOPE[3]}
        codes = self.scope3_categories
        if not isinstance(codes, list) or any(code not in known for code in codes):
            raise ValidationError(
                {
                    "scope3_categories": _(
                        'List Scope 3 category codes from s3_01 to s3_15, e.g. ["s3_06"].'
                    )
                }
            )


class InitiativeKind(models.TextChoices):
    ROOFTOP_SOLAR = "rooftop_solar", _("Rooftop solar")
    BOILER_FUEL_SWITCH = "boiler_switch", _("Boiler fuel switch")
    HEAT_PUMP = "heat_pump", _("Heat pump")
    LED = "led", _("LED lighting")
    PROCESS_EFFICIENCY = "process_efficiency", _("Process efficiency")
    FLEET_ELECTRIFICATION = "fleet_electrification", _("Fleet electrification")
    GREEN_POWER = "green_power", _("Green-power purchase")
    OTHER = "other", _("Other")


class InitiativeStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ReductionInitiative(models.Model):
    # `title` is the English title (it kept the column it had before the Chinese one came).
    title = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InitiativeKind)
    status = models.CharField(_("status"), max_length=20, choices=InitiativeStatus)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    expected_abatement_t_per_year = models.DecimalField(
        _("expected abatement (tCO2e/year)"), max_digits=14, decimal_places=3
    )
    capex = models.DecimalField(_("capital cost"), max_digits=16, decimal_places=2, default=0)
    annual_saving = models.DecimalField(
        _("annual saving"), max_digits=16, decimal_places=2, default=0
    )
    lifetime_years = models.PositiveSmallIntegerField(
        _("lifetime (years)"), default=10, validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reduction initiative")
        verbose_name_plural = _("reduction initiatives")
        ordering = ["status", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_abatement_t_per_year__gt=0),
                name="initiative_abatement_positive",
                violation_error_message=_("Expected abatement must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(lifetime_years__gte=1), name="initiative_lifetime_at_least_a_year"
            ),
            models.CheckConstraint(condition=Q(capex__gte=0), name="initiative_capex_not_negative"),
        ]

    def __str__(self):
        return self.local_title

    @property
    def local_title(self) -> str:
        """The title in the page's language (the other one when it has none)."""
        return in_page_language(self.title, self.title_zh)

    @property
    def abatement_cost_per_t(self):
        """Marginal abatement cost: (capex spread over the lifetime − annual saving) per tonne."""
        yearly_cost = self.capex / self.lifetime_years - self.annual_saving
        return (yearly_cost / self.expected_abatement_t_per_year).quantize(Decimal("0.01"))


class RestatementStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Preview being prepared")
    PREVIEW = "preview", _("Preview ready")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class Restatement(models.Model):
    """A new factor dataset's effect on the stored inventory: previewed, then applied or not.

    Loading a dataset changes no record; it makes a preview (which records would switch to the
    new factors, the change per year, facility and scope, and the base year's change against
    the organisation's significance threshold). An approver applies it (a job rewrites the
    records, their history naming this restatement) or discards it. What was applied is kept
    here: the recorded emissions of each year before and after, so a restated year shows its
    original figure.
    """

    dataset = models.ForeignKey(
        "factors.FactorDataset",
        on_delete=models.PROTECT,
        related_name="restatements",
        verbose_name=_("factor dataset"),
    )
    # The factors the dataset brought (the preview's and the apply's selection starts from them).
    factor_ids = models.JSONField(_("new factors"), default=list)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RestatementStatus,
        default=RestatementStatus.PREVIEWING,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied or discarded by"),
    )
    decided_at = models.DateTimeField(_("applied or discarded at"), null=True, blank=True)
    preview_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    apply_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The preview: see neutrality/restatements.py for the shape of each.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # When applied: {year: [recorded kg before, after, records switched]}.
    applied = models.JSONField(_("applied change"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("restatement")
        verbose_name_plural = _("restatements")
        ordering = ["-created_at", "-id"]
        permissions = [("apply_restatement", _("Can apply or discard a restatement"))]

    def __str__(self):
        return f"#{self.pk} {self.dataset}"
