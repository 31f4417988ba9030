"""Products, the processes that make them, production and purchased precursors.

A product's cradle-to-gate footprint (GB/T 24067-2024, ISO 14067) is built from the audited
inventory: each facility's direct (Scope 1) and indirect (Scope 2, location-based) emissions
are attributed to what its process made, by the process's allocation rule, and the embedded
emissions of the precursors bought for each product are added (products/attribution.py).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.facilities.models import Facility
from emissions.facilities.periods import assert_open
from emissions.factors.models import EmissionFactor
from emissions.suppliers.models import SupplierProduct

CN_CODE_PATTERN = r"^[0-9]{8}$"


class DeclaredUnit(models.TextChoices):
    TONNE = "t", _("tonne")
    KILOGRAM = "kg", _("kilogram")
    PIECE = "piece", _("piece")


# kg in one declared unit, for allocation by mass; a piece's mass is the product's own.
KG_PER_UNIT = {DeclaredUnit.TONNE: Decimal(1000), DeclaredUnit.KILOGRAM: Decimal(1)}


def validate_cn_code(value: str) -> None:
    """The EU Combined Nomenclature code: 8 digits, as customs declarations give it."""
    digits = value.replace(" ", "")
    if not digits.isdigit() or len(digits) != 8:
        raise ValidationError(
            _("A CN code has 8 digits (e.g. 72083900); “%(value)s” has %(count)s characters.")
            % {"value": value, "count": len(value)},
            code="cn_code_invalid",
        )


class Product(models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Imports name the product by it.")
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    cn_code = models.CharField(
        _("CN code"),
        # 8 digits are stored (a check constraint); the form takes "7208 3900" and says what
        # is wrong with a longer code rather than only that it is too long.
        max_length=12,
        blank=True,
        validators=[validate_cn_code],
        help_text=_("8-digit EU Combined Nomenclature code, for goods exported to the EU."),
    )
    cpc_code = models.CharField(
        _("UN CPC code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,5}$", _("A UN CPC code has 1 to 5 digits."))],
        help_text=_(
            "The product's class in the UN Central Product Classification (v2.1), which a PACT "
            "footprint names."
        ),
    )
    declared_unit = models.CharField(
        _("declared unit"), max_length=10, choices=DeclaredUnit, default=DeclaredUnit.TONNE
    )
    mass_kg_per_unit = models.DecimalField(
        _("mass per piece (kg)"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("Needed for a product declared per piece that is allocated by mass."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cn_code="") | Q(cn_code__regex=CN_CODE_PATTERN),
                name="product_cn_code_eight_digits",
                violation_error_message=_("A CN code has 8 digits."),
            ),
            models.CheckConstraint(
                condition=Q(cpc_code="") | Q(cpc_code__regex=r"^[0-9]{1,5}$"),
                name="product_cpc_code_digits",
                violation_error_message=_("A UN CPC code has 1 to 5 digits."),
            ),
            models.CheckConstraint(
                condition=Q(mass_kg_per_unit__isnull=True) | Q(mass_kg_per_unit__gt=0),
                name="product_mass_positive",
                violation_error_message=_("A piece's mass must be more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.label}"

    @property
    def label(self) -> str:
        return self.name_zh or self.name_en

    def clean(self):
        self.cn_code = self.cn_code.replace(" ", "")

    @property
    def kg_per_unit(self) -> Decimal | None:
        """kg in one declared unit (None: a piece whose mass is not given)."""
        return KG_PER_UNIT.get(self.declared_unit, self.mass_kg_per_unit)


class AllocationBasis(models.TextChoices):
    # ISO 14067 / GB/T 24067: avoid allocation where possible; else physical relationships;
    # economic value only where no physical relationship can be established.
    MASS = "mass", _("Physical: mass of output")
    MACHINE_HOURS = "machine_hours", _("Physical: machine hours")
    ECONOMIC = "economic", _("Economic: value of output")


class Process(models.Model):
    """The production process of a facility: its emissions go to what it makes.

    One process per facility: a facility's direct and indirect emissions are read whole from
    the inventory, which does not record which line of a plant used them.
    """

    facility = models.OneToOneField(
        Facility, on_delete=models.PROTECT, related_name="process", verbose_name=_("facility")
    )
    name = models.CharField(_("name"), max_length=200)
    allocation_basis = models.CharField(
        _("allocation basis"), max_length=20, choices=AllocationBasis
    )
    justification = models.TextField(
        _("why this basis"),
        help_text=_(
            "ISO 14067's hierarchy: physical relationships first; economic value only where "
            "none can be established. Say why this one fits."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production process")
        verbose_name_plural = _("production processes")
        ordering = ["facility__code"]

    def __str__(self):
        return f"{self.facility.code} · {self.name}"


class Production(models.Model):
    """What a process made of a product in one month, with the keys allocation may use."""

    process = models.ForeignKey(
        Process, on_delete=models.PROTECT, related_name="production", verbose_name=_("process")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="production", verbose_name=_("product")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    quantity = models.DecimalField(_("quantity (declared unit)"), max_digits=18, decimal_places=6)
    machine_hours = models.DecimalField(
        _("machine hours"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_cny = models.DecimalField(
        _("value (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production")
        verbose_name_plural = _("production")
        ordering = ["year", "month", "process", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "product", "year", "month"],
                name="production_once_per_month",
                violation_error_message=_(
                    "This process already has production of this product in this month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="production_quantity_positive",
                violation_error_message=_("Production needs a quantity above zero."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="production_month_in_year",
                violation_error_message=_("A month is 1 to 12."),
            ),
            models.CheckConstraint(
                condition=Q(machine_hours__isnull=True) | Q(machine_hours__gte=0),
                name="production_hours_not_negative",
                violation_error_message=_("Machine hours cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(value_cny__isnull=True) | Q(value_cny__gte=0),
                name="production_value_not_negative",
                violation_error_message=_("A value cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.process} · {self.product.code} · {self.year}-{self.month:02d}"

    def clean(self):
        if self.quantity is not None and self.quantity <= 0:
            raise ValidationError(
                {"quantity": _("Production needs a quantity above zero.")}, code="no_quantity"
            )
        assert_open(self.year, field="year")


class Precursor(models.Model):
    """A purchased input embodied in a product (e.g. steel billets rolled into coil)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="precursors", verbose_name=_("facility")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="precursors", verbose_name=_("product")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    name = models.CharField(_("precursor"), max_length=200)
    quantity_t = models.DecimalField(_("quantity used (t)"), max_digits=18, decimal_places=6)
    supplier_product = models.ForeignKey(
        SupplierProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier product"),
        help_text=_("Its accepted product footprint is used when there is one."),
    )
    default_kg_per_t = models.DecimalField(
        _("default embedded emissions (kg CO2e/t)"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Used when the supplier has given no footprint; give its source."),
    )
    default_source = models.CharField(_("source of the default"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("precursor")
        verbose_name_plural = _("precursors")
        ordering = ["year", "facility", "product", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_t__gt=0),
                name="precursor_quantity_positive",
                violation_error_message=_("A precursor needs a quantity above zero."),
            ),
            models.CheckConstraint(
                condition=Q(supplier_product__isnull=False) | Q(default_kg_per_t__isnull=False),
                name="precursor_has_a_footprint",
                violation_error_message=_(
                    "A precursor needs embedded emissions: a supplier product with an accepted "
                    "footprint, or a default value with its source."
                ),
            ),
            models.CheckConstraint(
                condition=Q(default_kg_per_t__isnull=True)
                | (Q(default_kg_per_t__gte=0) & ~Q(default_source="")),
                name="precursor_default_sourced",
                violation_error_message=_(
                    "A default value needs its source, and cannot be negative."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.product.code} ({self.year})"

    def clean(self):
        # Neither a supplier product nor a default: the check constraint's message says so.
        if self.default_kg_per_t is not None and not self.default_source.strip():
            raise ValidationError(
                {"default_source": _("Say where the default value comes from.")},
                code="default_without_source",
            )
        if (
            self.supplier_product_id is not None
            and self.default_kg_per_t is None
            and not self._supplier_has_footprint()
        ):
            raise ValidationError(
                {
                    "default_kg_per_t": _(
                        "%(product)s has no accepted footprint yet: enter a default value "
                        "with its source until the supplier gives one."
                    )
                    % {"product": self.supplier_product}
                },
                code="precursor_without_footprint",
            )
        assert_open(self.year, field="year")

    def _supplier_has_footprint(self) -> bool:
        return EmissionFactor.objects.filter(group=self.supplier_product.footprint_group).exists()
