"""Records, users and files for the evidence tests (MEDIA_ROOT is per test: tests/conftest.py)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from emissions.evidence import services

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def upload(name: str, content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media_root) -> list[Path]:
    return sorted(path for path in Path(media_root).rglob("*") if path.is_file())


@pytest.fixture
def record(make_record, hebei_plant):
    return make_record(
        hebei_plant, "grid_electricity", Decimal("12400"), "kWh",
        start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31),
    )  # fmt: skip


def _user(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username, password=f"{username}-pass-123")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def reader(django_user_model):
    """May read records (and so download their evidence) but neither upload nor delete."""
    return _user(django_user_model, "reader", "view_activityrecord")


@pytest.fixture
def uploader(django_user_model):
    return _user(django_user_model, "uploader", "view_activityrecord", "add_evidencefile")


@pytest.fixture
def remover(django_user_model):
    return _user(django_user_model, "remover", "view_activityrecord", "delete_evidencefile")


@pytest.fixture
def make_evidence(record, uploader):
    def make(name="March bill.pdf", content=PDF, *, description="", on=None):
        return services.attach_evidence(
            record=on or record,
            upload=upload(name, content),
            description=description,
            user=uploader,
        )

    return make
