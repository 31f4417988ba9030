"""Views every page relies on."""

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from ..spreadsheet import responder
from ..tables import TableSpec


@require_safe
@login_not_required
def site_icon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def page_template(request: HttpRequest, template: str, partial: str = "body") -> str:
    """The template, or only its named partial when htmx swaps part of the page.

    A history-restore request (back button without htmx's cache) replaces the whole <body>,
    so it gets the whole page.
    """
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def filename_stem(*parts) -> str:
    """A download's name without extension, from the parts given: kehui-overview-scopes-2024."""
    return "-".join(str(part) for part in parts if part not in (None, ""))


def table_download(
    fmt: str,
    spec: TableSpec | None,
    build_page: Callable[[], Any],
    stem_parts: Callable[[Any], Sequence],
) -> HttpResponse:
    """One of a page's tables as CSV or XLSX: the Table the page itself renders.

    An unknown format or table is not found before the page is built (it reads the database);
    `stem_parts(page)` names the file (filename_stem).
    """
    respond = responder(fmt)
    if spec is None:
        raise Http404("Unknown table")
    page = build_page()
    return respond(spec.build(page), filename_stem=filename_stem(*stem_parts(page)))
