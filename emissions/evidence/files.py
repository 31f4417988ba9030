"""What an evidence file may be: its kinds, size limit, and how a kind is recognised."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 10 * 1024 * 1024
MAX_LABEL = "10 MB"
# original_name's max_length: longer names are shortened, keeping their extension.
NAME_LIMIT = 200


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    # The bytes every file of this kind starts with.
    magic: bytes


KINDS = (
    # Readers accept a PDF header anywhere in the first KiB; we accept only the strict form.
    Kind("PDF", "application/pdf", (".pdf",), b"%PDF-"),
    Kind("PNG", "image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
)
CONTENT_TYPES = [kind.content_type for kind in KINDS]
EXTENSIONS = [extension for kind in KINDS for extension in kind.extensions]
ALLOWED_LABEL = _("PDF, PNG or JPEG")
MAGIC_LENGTH = max(len(kind.magic) for kind in KINDS)


def extension_of(name: str) -> str:
    """The allowed extension the name ends with (as written), or ""."""
    lower = name.lower()
    extension = next((extension for extension in EXTENSIONS if lower.endswith(extension)), "")
    return name[len(name) - len(extension) :] if extension else ""


def kind_for_name(name: str) -> Kind | None:
    """The kind the file's name claims by its extension; None for any other extension."""
    extension = extension_of(name).lower()
    return next((kind for kind in KINDS if extension in kind.extensions), None)


def kind_for_content_type(content_type: str) -> Kind:
    return next(kind for kind in KINDS if kind.content_type == content_type)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check(upload: File) -> Kind:
    """The upload's kind; ValidationError naming the problem when it may not be stored."""
    if not upload.size:
        raise ValidationError(gettext("The file is empty."), code="empty")
    kind = kind_for_name(upload.name)
    if kind is None:
        raise ValidationError(
            gettext("“%(name)s” is not a %(allowed)s file. Upload one of those types.")
            % {"name": clean_name(upload.name), "allowed": ALLOWED_LABEL},
            code="type",
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(
            gettext("The file is %(size)s; the limit is %(limit)s.")
            % {"size": megabytes(upload.size), "limit": MAX_LABEL},
            code="size",
        )
    upload.seek(0)
    head = upload.read(MAGIC_LENGTH)
    upload.seek(0)
    if not head.startswith(kind.magic):
        raise ValidationError(
            gettext("The file's name ends in %(extension)s but its content is not a %(kind)s.")
            % {"extension": extension_of(upload.name), "kind": kind.label},
            code="content",
        )
    return kind


# Path separators, characters Windows refuses in names, quotes that break headers.
_UNSAFE = re.compile(r'[\\/:*?"<>|]')
_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """The uploaded name made safe to show and to offer back as a download name.

    Only its last path component is kept; control characters and the characters file systems
    or headers trip over are dropped; a name left empty becomes "evidence" with its extension.
    """
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[\\/]", name)[-1]
    name = _SPACES.sub(" ", name)
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("", name)).strip()
    extension = extension_of(name)
    stem = name[: len(name) - len(extension)].strip(" .") or "evidence"
    # Shorten the stem, never the extension: it tells the reader what the file is.
    return stem[: NAME_LIMIT - len(extension)].rstrip(" .") + extension
