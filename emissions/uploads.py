"""Stop an upload as soon as it passes its size limit, before the rest is stored.

Django would otherwise read the whole request into a temporary file and only then let the
form refuse it: a 2 GB upload would fill the disk to be told "the limit is 10 MB".
"""

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class SizeLimitHandler(FileUploadHandler):
    """First in the chain: passes each file's chunks on until the file grows past `limit`."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            # connection_reset=False: the rest of the body is read and dropped, so the browser
            # gets the page with the message rather than a reset connection.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler builds the file


def limit_upload_size(limit: Callable[[], int]):
    """Decorate a view: `request.upload_limit_exceeded` says whether a file was cut off.

    The handler must be in place before anything reads request.POST, and the CSRF check
    reads it; so CSRF is checked inside, after the handler is installed (Django's documented
    pattern for custom upload handlers).
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            handler = SizeLimitHandler(request, limit())
            request.upload_handlers.insert(0, handler)
            request.upload_limit_exceeded = lambda: _parsed(request) and handler.exceeded
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def _parsed(request) -> bool:
    """Parse the body (the handler only sees the file while it is parsed); always True."""
    request.FILES  # noqa: B018 (reading it parses the upload)
    return True


def form_refusing_the_file(form_class, request, message: str):
    """The form bound to the request's other fields, its file field refused with `message`.

    For an upload the handler cut off: the file never arrived, so "this field is required"
    would be the wrong thing to say.
    """
    form = form_class(request.POST)
    form.is_valid()
    form.errors["file"] = form.error_class([message])
    return form
