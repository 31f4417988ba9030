"""The overview's first load stays under 200 KB on the wire, and WhiteNoise serves its static
files compressed and cacheable for good.

The static files are collected once, as in production (collectstatic with the manifest storage
that compresses them), into a folder of this module's own; the page is rendered against it, so
its URLs are the hashed ones production serves. `pytest -s` prints the breakdown; the measured
total is in docs/performance.md ("First load of the overview").
"""

import gzip
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import override_settings

BUDGET = 200 * 1024
PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
READ_APPS = ["activities", "facilities", "factors", "offsets", "neutrality"]
# WhiteNoise's `FOREVER`, sent for files whose names carry their content's hash.
IMMUTABLE = "max-age=315360000, public, immutable"
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


class AssetLinks(HTMLParser):
    """The URLs of a page's stylesheets, icons and scripts, in document order."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def asset_urls(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return [url for url in parser.urls if url.startswith(django_settings.STATIC_URL)]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """STATIC_ROOT after `collectstatic` with the production storage (hashed, .gz and .br)."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {**django_settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, static_root) -> Path:
    """Static URLs and WhiteNoise as in production (tests/conftest.py sets plainer ones)."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    settings.STATIC_ROOT = static_root
    # pytest-django runs with DEBUG off already; WhiteNoise reads these when the test client
    # builds its middleware, on its first request: files from STATIC_ROOT only, indexed once.
    settings.DEBUG = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    return static_root


@pytest.fixture
def viewer_client(client, django_user_model):
    """A staff member who may read every dashboard page."""
    user = django_user_model.objects.create_user("overview-viewer")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=READ_APPS, codename__startswith="view_"
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def collected_file(static_root: Path, url: str) -> Path:
    return static_root / url.removeprefix(django_settings.STATIC_URL)


def test_the_first_load_of_the_overview_is_under_200_kb(production_static, demo, viewer_client):
    response = viewer_client.get("/")
    assert response.status_code == 200
    html = response.content
    assert b"No emissions recorded yet" not in html  # the demo's charts and tables, not empty
    urls = asset_urls(html.decode())
    # The stylesheet, app.js, htmx (django-htmx's copy), Chart.js and the charts.
    assert any("django_htmx/htmx-2.min." in url for url in urls), urls
    assert any("chart-4.6.1.umd.min." in url for url in urls), urls

    # (name, raw bytes, bytes sent to a browser that accepts br and gzip)
    rows = [("overview HTML (gzip -6)", len(html), len(gzip.compress(html, compresslevel=6)))]
    for url in urls:
        path = collected_file(production_static, url)
        assert path.is_file(), f"{url} was not collected"
        assert HASHED_NAME.search(path.name), f"{url} has no content hash in its name"
        # WhiteNoise keeps a compressed copy only where it is 5% smaller than the file.
        compressed = [
            sibling.stat().st_size
            for sibling in (path.with_name(path.name + ".br"), path.with_name(path.name + ".gz"))
            if sibling.is_file()
        ]
        raw = path.stat().st_size
        if raw > 1024:
            assert compressed, f"{url}: no .br or .gz next to it"
        rows.append(
            (url.removeprefix(django_settings.STATIC_URL), raw, min(compressed, default=raw))
        )
    total = sum(sent for _name, _raw, sent in rows)

    print("\nFirst load of the overview (demo data):")  # shown with `pytest -s`
    for name, raw, sent in rows:
        print(f"  {name:<55} {raw:>9,} B raw {sent:>9,} B sent")
    raw_total = sum(raw for _name, raw, _sent in rows)
    print(f"  {'total':<55} {raw_total:>9,} B raw {total:>9,} B sent")
    assert total < BUDGET, f"{total:,} bytes on the first load (budget {BUDGET:,})"


def test_whitenoise_serves_the_overview_assets_brotli_compressed_and_immutable(
    production_static, organisation, viewer_client
):
    urls = asset_urls(viewer_client.get("/").content.decode())
    assert urls

    for url in urls:
        response = viewer_client.get(url, headers={"accept-encoding": "br, gzip"})
        assert response.status_code == 200, url
        assert response["Cache-Control"] == IMMUTABLE, url
        raw = collected_file(production_static, url).stat().st_size
        if raw > 1024:
            # whitenoise[brotli] is a dependency, so the Brotli copy is there and preferred.
            assert response["Content-Encoding"] == "br", url
        response.close()


def test_a_gzip_only_browser_gets_the_gzip_copy(production_static, organisation, viewer_client):
    url = next(u for u in asset_urls(viewer_client.get("/").content.decode()) if "htmx" in u)

    response = viewer_client.get(url, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    response.close()
