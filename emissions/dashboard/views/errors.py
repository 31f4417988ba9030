"""The site's 500 handler: a database that cannot answer is a 503 the user can retry.

Django calls handler500 from inside the `except` block that caught the view's exception, so
`sys.exception()` is that exception. The 404, 403 and 400 pages need no view: Django's default
handlers render templates/404.html, 403.html and 400.html.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

# Raised when PostgreSQL restarts or fails over (the connection is cut, or refused while it
# starts), and for other passing conditions: a deadlock, a statement timeout, a locked SQLite
# file. The same request a little later is likely to work.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: its session and user may be what could not be read.
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        context = {
            # One leading slash: "//host/…" in a link would leave the site.
            "retry_url": "/" + request.get_full_path().lstrip("/"),
            "was_reading": request.method in ("GET", "HEAD"),
        }
        page = loader.get_template("503.html").render(context)
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
