"""Suppliers, what Kehui buys from them, and their data: requested by link, reviewed, accepted.

An accepted submission becomes emission factors (factors.EmissionFactor) in one of two
datasets of the organisation's own, whose `basis` the Scope 3 precedence rule reads
(activities.scope3): supplier product footprints first, then supplier intensities.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.factors.models import EmissionFactor
from emissions.factors.units import UnitError, parse_unit

from .credit_code import SQL_PATTERN, normalise, validate_credit_code


class SupplierCategory(models.TextChoices):
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    COMPONENTS = "components", _("Parts and components")
    PACKAGING = "packaging", _("Packaging")
    CHEMICALS = "chemicals", _("Chemicals and auxiliaries")
    CAPITAL_GOODS = "capital_goods", _("Machinery and capital goods")
    LOGISTICS = "logistics", _("Transport and logistics")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    CHINESE = "zh-hans", "中文"
    ENGLISH = "en", "English"


class Supplier(models.Model):
    name = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("统一社会信用代码: 18 characters, checked by GB 32100-2015."),
    )
    category = models.CharField(_("category"), max_length=20, choices=SupplierCategory)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    language = models.CharField(
        _("language for e-mails"), max_length=7, choices=Language, default=Language.CHINESE
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name_zh", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="supplier_credit_code_unique",
                violation_error_message=_("Another supplier has this unified social credit code."),
            ),
            # The shape (not the check character) for writes that skip validation.
            models.CheckConstraint(
                condition=Q(credit_code="") | Q(credit_code__regex=SQL_PATTERN),
                name="supplier_credit_code_shape",
                violation_error_message=_("A unified social credit code has 18 characters."),
            ),
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(name_zh=""),
                name="supplier_has_a_name",
                violation_error_message=_("Give the supplier's name in Chinese or English."),
            ),
        ]

    def __str__(self):
        if self.name_zh and self.name:
            return f"{self.name_zh} ({self.name})"
        return self.name_zh or self.name

    def clean(self):
        self.credit_code = normalise(self.credit_code)


class SupplierProduct(models.Model):
    """What Kehui buys from a supplier: purchases (activity records) name it by its code."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="products", verbose_name=_("supplier")
    )
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Imports name the product by it, e.g. hbsteel-hrc."),
    )
    name = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    declared_unit = models.CharField(
        _("declared unit"),
        max_length=40,
        help_text=_("The unit a footprint is given per, e.g. t, piece, kWh."),
    )
    spend_sector = models.CharField(
        _("spend sector (NAICS)"),
        max_length=6,
        blank=True,
        help_text=_(
            "The 6-digit NAICS code of what is bought, for spend-based factors when nothing "
            "better exists (e.g. 331110 iron and steel)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier product")
        verbose_name_plural = _("supplier products")
        ordering = ["supplier", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spend_sector="") | Q(spend_sector__regex=r"^[0-9]{6}$"),
                name="supplier_product_naics_six_digits",
                violation_error_message=_("A NAICS code has 6 digits."),
            ),
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(name_zh=""),
                name="supplier_product_has_a_name",
                violation_error_message=_("Give the product's name in Chinese or English."),
            ),
        ]

    def __str__(self):
        return f"{self.name_zh or self.name} · {self.supplier}"

    @property
    def label(self) -> str:
        return self.name_zh or self.name

    def clean(self):
        try:
            parse_unit(self.declared_unit)
        except UnitError as error:
            raise ValidationError({"declared_unit": str(error)}) from None

    @property
    def footprint_group(self) -> str:
        return f"supplier-product-{self.pk}"


def company_group(supplier_id: int) -> str:
    return f"supplier-company-{supplier_id}"


def default_expiry():
    return timezone.now() + timezone.timedelta(days=settings.SUPPLIER_LINK_DAYS)


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    SUBMITTED = "submitted", _("Submitted, to review")
    RETURNED = "returned", _("Asked again")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class DataRequest(models.Model):
    """A request to one supplier for data on chosen products and a year, answered by link.

    The link is the request's id and a random nonce, signed with the SECRET_KEY (services.py):
    it opens this request and nothing else, a changed character breaks the signature, and a
    copy of the database alone makes no working link.
    """

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="requests", verbose_name=_("supplier")
    )
    year = models.PositiveSmallIntegerField(_("data year"))
    products = models.ManyToManyField(
        SupplierProduct, related_name="requests", verbose_name=_("products")
    )
    message = models.TextField(_("message to the supplier"), blank=True)
    nonce = models.CharField(max_length=32, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus, default=RequestStatus.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("link expires at"), default=default_expiry)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("request e-mailed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder e-mailed at"), null=True, blank=True)
    thanked_at = models.DateTimeField(_("thank-you e-mailed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The form's posts in the current hour (rate limit), counted in the database so that
    # every web process sees the same count.
    post_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["nonce", "post_window_start", "post_count"])

    class Meta:
        verbose_name = _("supplier data request")
        verbose_name_plural = _("supplier data requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="data_request_year_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(revoked_at__isnull=False),
                name="data_request_revoked_has_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.supplier} · {self.year}"

    def is_open(self, now=None) -> bool:
        """Whether the link still takes a submission."""
        now = now or timezone.now()
        return self.status in (RequestStatus.SENT, RequestStatus.RETURNED) and now < self.expires_at

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        waiting = self.status in (RequestStatus.SENT, RequestStatus.RETURNED)
        return waiting and now >= self.expires_at


class Boundary(models.TextChoices):
    CRADLE_TO_GATE = "cradle_to_gate", _("Cradle to gate")
    GATE_TO_GATE = "gate_to_gate", _("Gate to gate (own operations only)")


class Method(models.TextChoices):
    ISO_14067 = "iso_14067", "ISO 14067"
    GBT_24067 = "gbt_24067", "GB/T 24067"
    PACT = "pact", "PACT (Pathfinder)"
    OTHER = "other", _("Other")


class Verification(models.TextChoices):
    NONE = "none", _("Not verified")
    THIRD_PARTY = "third_party", _("Verified by a third party")


class SubmissionStatus(models.TextChoices):
    TO_REVIEW = "to_review", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Asked again")


class Submission(models.Model):
    """What a supplier sent through the link: one per attempt, kept with its history."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    language = models.CharField(_("language"), max_length=7, choices=Language)
    contact_name = models.CharField(_("filled in by"), max_length=100)
    notes = models.TextField(_("notes from the supplier"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus, default=SubmissionStatus.TO_REVIEW
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_message = models.TextField(_("message to the supplier"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier submission")
        verbose_name_plural = _("supplier submissions")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_message=""),
                name="submission_returned_with_a_message",
                violation_error_message=_("Say what the supplier should change."),
            ),
            models.CheckConstraint(
                condition=Q(status="to_review") | Q(reviewed_by__isnull=False),
                name="submission_reviewed_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.request} · {self.submitted_at:%Y-%m-%d %H:%M}"


class LineKind(models.TextChoices):
    FOOTPRINT = "footprint", _("Product carbon footprint")
    ENERGY = "energy", _("Energy use and output")


POSITIVE = [MinValueValidator(0)]
AMOUNT = {"max_digits": 24, "decimal_places": 6, "null": True, "blank": True}


class SubmissionLine(models.Model):
    """One product's answer: its footprint per declared unit, or the energy behind its output."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(SupplierProduct, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of data"), max_length=10, choices=LineKind)
    kg_co2e_per_unit = models.DecimalField(
        _("kg CO2e per declared unit"), validators=POSITIVE, **AMOUNT
    )
    data_year = models.PositiveSmallIntegerField(
        _("year the footprint describes"),
        null=True,
        blank=True,
        help_text=_("A footprint may be of an earlier year than the request's."),
    )
    boundary = models.CharField(_("boundary"), max_length=20, choices=Boundary, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method, blank=True)
    verification = models.CharField(
        _("verification"), max_length=12, choices=Verification, blank=True
    )
    verifier = models.CharField(_("verifier"), max_length=200, blank=True)
    electricity_kwh = models.DecimalField(_("electricity (kWh)"), validators=POSITIVE, **AMOUNT)
    natural_gas_m3 = models.DecimalField(_("natural gas (Nm³)"), validators=POSITIVE, **AMOUNT)
    coal_t = models.DecimalField(_("coal (t)"), validators=POSITIVE, **AMOUNT)
    output_quantity = models.DecimalField(
        _("output in the declared unit"), validators=POSITIVE, **AMOUNT
    )
    factor = models.OneToOneField(
        EmissionFactor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplier_line",
        verbose_name=_("factor made from it"),
    )

    class Meta:
        verbose_name = _("submitted product data")
        verbose_name_plural = _("submitted product data")
        constraints = [
            models.CheckConstraint(
                condition=Q(data_year__isnull=True) | Q(data_year__gte=1990, data_year__lte=2100),
                name="submission_line_year_in_range",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="footprint", kg_co2e_per_unit__gte=0)
                    & ~Q(boundary="")
                    & ~Q(method="")
                    & ~Q(verification="")
                )
                | Q(
                    kind="energy",
                    output_quantity__gt=0,
                    electricity_kwh__gte=0,
                    natural_gas_m3__gte=0,
                    coal_t__gte=0,
                ),
                name="submission_line_complete",
                violation_error_message=_(
                    "A footprint needs its value, boundary, method and verification; energy "
                    "data need every amount and an output above zero."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.product.label} · {self.get_kind_display()}"


class SubmissionFile(models.Model):
    """Evidence a supplier attached: checked as evidence files are, served only to staff."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="supplier-evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("supplier evidence file")
        verbose_name_plural = _("supplier evidence files")

    def __str__(self):
        return self.original_name
