"""An interval upload: read and check the whole file, then store all its meter-days or none.

No preview step, unlike the activity import: a meter-day is a measurement, not a record to
review, and the file (up to 100 MB) is checked and written within the one request. A day
already stored for a meter is refused unless the uploader asks to replace stored days: a
corrected export from the utility replaces the estimates it held, and the replaced readings
stay in the days' history; without the tick, a file uploaded twice by mistake is refused
rather than silently overwriting what another person stored.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from emissions.facilities import periods

from ..imports.reading import quoted
from ..imports.validation import Problem
from ..models import IntervalUpload, MeterDay
from .reading import READ_BYTES
from .validation import IntervalCheck, read_file
from .writing import kwh_text, write_days


@dataclass
class IntervalImport:
    """What an upload did: its stored upload when it succeeded, else its problems."""

    row_count: int = 0
    error_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    upload: IntervalUpload | None = None

    @property
    def ok(self) -> bool:
        return self.upload is not None


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(READ_BYTES), b""):
        digest.update(chunk)
    return digest.hexdigest()


def import_intervals(*, user, upload, file_name: str, replace: bool = False) -> IntervalImport:
    """Check the file and store every meter-day of it, or none (then say why, row by row)."""
    check = read_file(upload, file_name=file_name, sha256=sha256_of(upload))
    if not check.ok:
        return _refused(check)
    with transaction.atomic():
        _one_upload_at_a_time()
        try:
            # Again inside the transaction: holds the years' locks while the days are written.
            periods.assert_open(*check.years())
        except ValidationError as error:
            check.add(Problem(1, "start", " ".join(error.messages)))
            return _refused(check)
        stored = _stored_days(check)
        if stored and not replace:
            _refuse_stored(check, stored)
            return _refused(check)
        upload_row = IntervalUpload.objects.create(
            user=user,
            file_name=file_name[:255],
            sha256=check.sha256,
            row_count=check.row_count,
            meter_count=len(check.meters),
            day_count=check.day_count,
            summary=summary(check),
        )
        replaced = write_days(check, upload=upload_row, user=user, replaced=list(stored.values()))
        upload_row.replaced_day_count = replaced
        upload_row.incomplete_day_count = sum(
            1
            for meter, _day, readings in check.meter_days()
            if readings.reading_count * meter.interval < 24 * 60
        )
        upload_row.save(update_fields=["replaced_day_count", "incomplete_day_count"])
    return IntervalImport(row_count=check.row_count, upload=upload_row)


def _refused(check: IntervalCheck) -> IntervalImport:
    return IntervalImport(
        row_count=check.row_count,
        error_count=check.error_count,
        errors=sorted(check.errors, key=lambda problem: problem.row),
    )


def _one_upload_at_a_time() -> None:
    """Two uploads of the same days take turns (PostgreSQL), so the second sees the first's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["activities.intervals"])


def _stored_days(check: IntervalCheck) -> dict[tuple[int, str, object], int]:
    """{(facility id, meter, day): id} of the file's meter-days already stored; one query."""
    if not check.meters:
        return {}
    days = [day for meter in check.meters.values() for day in meter.days]
    stored = MeterDay.objects.filter(
        facility_id__in={facility_id for facility_id, _meter in check.meters},
        meter__in={name for _facility_id, name in check.meters},
        day__range=(min(days), max(days)),
    ).values_list("facility_id", "meter", "day", "id")
    wanted = {
        (facility_id, name, day)
        for (facility_id, name), meter in check.meters.items()
        for day in meter.days
    }
    return {
        (facility_id, name, day): pk
        for facility_id, name, day, pk in stored.iterator(chunk_size=5000)
        if (facility_id, name, day) in wanted
    }


def _refuse_stored(check: IntervalCheck, stored: dict) -> None:
    for meter, day, readings in check.meter_days():
        if (meter.facility.pk, meter.name, day) in stored:
            check.add(
                Problem(
                    readings.first_row,
                    "start",
                    _(
                        "Meter %(meter)s of %(facility)s already has readings stored for "
                        "%(day)s. Tick “Replace days already stored” to replace them (the "
                        "stored readings are kept in the history)."
                    )
                    % {
                        "meter": quoted(meter.name),
                        "facility": meter.facility.code,
                        "day": day.isoformat(),
                    },
                )
            )


def summary(check: IntervalCheck) -> dict:
    """kWh per facility and month, with its meters, days and incomplete days (JSON)."""
    facilities: dict[int, dict] = {}
    for meter, day, readings in check.meter_days():
        facility = facilities.setdefault(
            meter.facility.pk,
            {
                "code": meter.facility.code,
                "name": meter.facility.name_en,
                "meters": 0,
                "days": 0,
                "incomplete_days": 0,
                "months": {},
            },
        )
        facility["days"] += 1
        if readings.reading_count * meter.interval < 24 * 60:
            facility["incomplete_days"] += 1
        month = f"{day.year}-{day.month:02d}"
        facility["months"][month] = facility["months"].get(month, 0) + sum(readings.wh)
    for meter in check.meters.values():
        facilities[meter.facility.pk]["meters"] += 1
    rows = []
    for facility in sorted(facilities.values(), key=lambda f: f["code"]):
        months = facility.pop("months")
        facility["months"] = [
            {"month": month, "kwh": kwh_text(months[month])} for month in sorted(months)
        ]
        facility["kwh"] = kwh_text(sum(months.values()))
        rows.append(facility)
    return {"facilities": rows}
