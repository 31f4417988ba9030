"""What each facility is expected to report, by when, and who owes it (issue 21).

An expected stream says: facility F reports activity type A every month (or every year); its
owner enters or obtains the data by the due day of the month after the period. The completeness
grid (completeness.py) sets the records against these expectations.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility

# The due day stays within every month (February included).
LAST_DUE_DAY = 28


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class ExpectedStream(models.Model):
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="expected_streams",
        verbose_name=_("facility"),
    )
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="expected_streams",
        verbose_name=_("activity type"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_streams",
        verbose_name=_("owner"),
        help_text=_("Who enters or obtains this data (their own page lists what they owe)."),
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(LAST_DUE_DAY)],
        help_text=_(
            "Day of the month after the period by which its data is due (1–28): 10 means a "
            "month's data by the 10th of the next month, a year's by 10 January."
        ),
    )
    starts_on = models.DateField(
        _("expected from"), help_text=_("The first period expected is the one containing this day.")
    )
    ends_on = models.DateField(
        _("expected until"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the stream continues (e.g. until a boiler is removed)."),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expected data stream")
        verbose_name_plural = _("expected data streams")
        ordering = ["facility__code", "activity_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "activity_type"],
                name="one_expected_stream_per_facility_and_type",
                violation_error_message=_(
                    "This facility already has an expected stream for this activity type."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=LAST_DUE_DAY),
                name="expected_stream_due_day_in_every_month",
                violation_error_message=_("The due day must be between 1 and 28."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="expected_stream_ends_after_it_starts",
                violation_error_message=_("A stream cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.facility.code} · {self.activity_type} ({self.get_frequency_display()})"
