"""Sample evidence on a few demo records: an electricity bill (PDF) and a gas-meter photo (PNG).

The files are in demo_files/ (drawn by scripts/make_demo_evidence.py: fictional, a few KB each)
and are attached through services.attach_evidence, so they are checked and stored exactly as an
upload from the record page would be.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from emissions.activities.models import ActivityRecord

from .models import EvidenceFile
from .services import attach_evidence

DEMO_FILES = Path(__file__).resolve().parent / "demo_files"


@dataclass(frozen=True)
class DemoEvidence:
    file_name: str
    content_type: str
    facility: str
    activity_type: str
    month: dt.date  # the record's period start
    description: str


# The demo's last month is still waiting for approval: the approver sees the evidence there.
DEMO_EVIDENCE = [
    DemoEvidence(
        "electricity-bill-XT-01-2025-12.pdf",
        "application/pdf",
        "XT-01",
        "grid_electricity",
        dt.date(2025, 12, 1),
        "Demo electricity bill, December 2025 (fictional)",
    ),
    DemoEvidence(
        "gas-meter-XT-01-2025-12.png",
        "image/png",
        "XT-01",
        "natural_gas_stationary",
        dt.date(2025, 12, 1),
        "Demo photo of the gas meter, 31 December 2025 (fictional)",
    ),
]


@dataclass
class DemoEvidenceResult:
    attached: int = 0
    kept: int = 0  # already attached by an earlier run
    skipped: list[str] = field(default_factory=list)  # why a file was not attached


def load_demo_evidence(*, user) -> DemoEvidenceResult:
    """Attach each sample file to its demo record, once; say why any could not be attached."""
    result = DemoEvidenceResult()
    for sample in DEMO_EVIDENCE:
        record = (
            ActivityRecord.objects.filter(
                facility__code=sample.facility,
                activity_type__code=sample.activity_type,
                period_start=sample.month,
            )
            .order_by("pk")
            .first()
        )
        if record is None:
            result.skipped.append(
                f"{sample.file_name}: no {sample.activity_type} record of {sample.facility} "
                f"for {sample.month:%Y-%m}"
            )
            continue
        if EvidenceFile.objects.filter(record=record, original_name=sample.file_name).exists():
            result.kept += 1
            continue
        upload = SimpleUploadedFile(
            sample.file_name,
            (DEMO_FILES / sample.file_name).read_bytes(),
            content_type=sample.content_type,
        )
        try:
            attach_evidence(record=record, upload=upload, description=sample.description, user=user)
        except ValidationError as error:  # e.g. the record's year is locked
            result.skipped.append(f"{sample.file_name}: {' '.join(error.messages)}")
            continue
        result.attached += 1
    return result
