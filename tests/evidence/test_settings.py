"""MEDIA_ROOT comes from the environment and defaults to var/media, outside the static files."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'media_root': str(settings.MEDIA_ROOT),"
    " 'static_root': str(settings.STATIC_ROOT)}))"
)


def load(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kehui.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_media_root_defaults_to_var_media_outside_the_static_files():
    result = load()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["media_root"] == str(ROOT / "var" / "media")
    assert not values["media_root"].startswith(values["static_root"])


def test_media_root_is_read_from_the_environment(tmp_path):
    result = load(MEDIA_ROOT=str(tmp_path / "evidence"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["media_root"] == str(tmp_path / "evidence")


def test_a_relative_media_root_is_refused():
    result = load(MEDIA_ROOT="var/media")
    assert result.returncode != 0
    assert "MEDIA_ROOT must be an absolute path, not 'var/media'." in result.stderr
