"""Where the admin import keeps an uploaded file between its preview and its confirmation.

django-import-export sends the temp file's name to the browser and reads (then deletes)
whatever name comes back. Here a name is only accepted if this module made it: a random id
signed with SECRET_KEY. The file lives in a folder of its own under the temp dir, named by
the id alone, so no name from a client can point anywhere else.
"""

import contextlib
import os
import re
import tempfile
import time
import uuid

from django.core import signing
from import_export.tmp_storages import TempFolderStorage

FOLDER_NAME = "kehui-admin-imports"
SALT = "emissions.import_tmp_storage"
FILE_ID = re.compile(r"^[0-9a-f]{32}$")
# A preview nobody confirmed is removed when a later upload is stored.
ABANDONED_AFTER_SECONDS = 24 * 60 * 60


class UnknownImportFile(ValueError):
    """The name did not come from this storage, or its file is gone."""


def folder() -> str:
    return os.path.join(tempfile.gettempdir(), FOLDER_NAME)


def file_id(name) -> str:
    """The id inside a signed name; UnknownImportFile if it was not signed here."""
    try:
        value = signing.Signer(salt=SALT).unsign(str(name or ""))
    except signing.BadSignature:
        raise UnknownImportFile(name) from None
    if not FILE_ID.match(value):
        raise UnknownImportFile(name)
    return value


def is_stored(name) -> bool:
    """Whether `name` was made here and its file is still there."""
    try:
        return os.path.isfile(os.path.join(folder(), file_id(name)))
    except UnknownImportFile:
        return False


class SignedTempFolderStorage(TempFolderStorage):
    def save(self, data):
        os.makedirs(folder(), mode=0o700, exist_ok=True)
        _remove_abandoned()
        new_id = uuid.uuid4().hex
        self.name = signing.Signer(salt=SALT).sign(new_id)
        with open(os.path.join(folder(), new_id), "wb") as file:
            file.write(data.encode(self.encoding or "utf-8") if isinstance(data, str) else data)

    def get_full_path(self):
        return os.path.join(folder(), file_id(self.name))

    def remove(self):
        with contextlib.suppress(FileNotFoundError, UnknownImportFile):
            os.remove(self.get_full_path())


def _remove_abandoned() -> None:
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    with os.scandir(folder()) as entries:
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)
            except FileNotFoundError:  # another worker removed it first
                continue
