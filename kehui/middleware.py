"""Project-wide middleware: requests no view can read get a 400, pages are never cached."""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


def _path_problem(request: HttpRequest) -> str | None:
    # Bytes of the path that are not UTF-8 need no check: Django re-escapes them ("%FF"), so a
    # view sees plain text that names nothing (a 404).
    if "\x00" in request.path_info:
        return _("The address contains a NUL character.")
    return None


def _query_problem(request: HttpRequest) -> str | None:
    raw = request.META.get("QUERY_STRING", "")
    try:
        # WSGI hands over the raw bytes as latin-1 text; ASGI has decoded them already.
        raw_bytes = raw.encode("iso-8859-1")
    except UnicodeEncodeError:
        raw_bytes = raw.encode("utf-8")
    try:
        text = unquote_to_bytes(raw_bytes).decode("utf-8")
    except UnicodeDecodeError:
        return _("The query string is not valid UTF-8 text.")
    if "\x00" in text:
        return _("The query string contains a NUL character.")
    return None


def _admin_problem(request: HttpRequest) -> str | None:
    if TO_FIELD_VAR in request.GET and not request.GET[TO_FIELD_VAR]:
        # Django's admin checks a _to_field it is given, but takes an empty one for a field
        # named "" (FieldDoesNotExist, a 500); an unknown one it refuses with a 400 already.
        return _("The %(parameter)s parameter is empty.") % {"parameter": TO_FIELD_VAR}
    return None


def bad_request(problem: str) -> HttpResponse:
    """The site's 400 page, saying what was wrong with the request."""
    # Rendered without the request, as Django's own 400 page is: no session, no database.
    page = loader.get_template("400_unreadable.html").render({"problem": problem})
    return HttpResponseBadRequest(page)


class RefuseUnreadableRequests:
    """Answer 400, naming the problem, to a request no view can read.

    A NUL byte in the path or the query string (no column can hold one: PostgreSQL refuses it
    mid-query, a 500), a query string that is not UTF-8 (never typed into one of our pages),
    and the admin's filters that do not match the list they filter (the changelist redirects
    with ?e=1, django-import-export's export view raised them as a 500). Checked here, every
    view is covered, the admin's included, before any of them reads a parameter.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = _path_problem(request) or _query_problem(request) or _admin_problem(request)
        if problem is not None:
            return bad_request(problem)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, IncorrectLookupParameters):
            return bad_request(_("This list cannot be filtered by the parameters given."))
        return None


def private_no_store(get_response: Handler) -> Handler:
    """Mark every response `Cache-Control: private, no-store` unless its view chose a policy.

    Pages and downloads show a company's emissions to a logged-in user: no shared cache (a
    proxy) may keep them, and no browser cache should hold them after logout. Static files
    never get here: WhiteNoise, earlier in MIDDLEWARE, answers them with long-lived headers.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
