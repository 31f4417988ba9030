"""Gunicorn's settings for Kehui Carbon; gunicorn reads ./gunicorn.conf.py on its own.

Every response of gunicorn's HTTP/1 worker starts with "Server: gunicorn", and no setting turns
it off (the maintainers declined one: benoitc/gunicorn#825, #1384, #1617). The banner tells a
scanner which server to try its exploits on and tells a browser nothing, so this file drops it
from the headers gunicorn writes itself. It runs in the master before the workers are forked,
so every worker inherits it. tests/kehui/test_gunicorn_conf.py starts gunicorn with this file
and checks that the header is gone: an upgrade that renames what is patched here fails there.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
