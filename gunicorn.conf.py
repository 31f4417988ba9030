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

# A sync worker that has not answered within `timeout` seconds is killed and its request
# answered with an error. Set here on purpose rather than left at gunicorn's 30 s default:
# - Long work is bounded instead of outrun: the import upload limit previews in well under
#   half of it (emissions/activities/imports MAX_UPLOAD_BYTES, tests/bench/test_preview_bench.py),
#   a 100,000-record rollback is set-based (tests/bench/test_rollback_bench.py) and the XLSX
#   export is capped (emissions/dashboard/exports.py XLSX_ROW_LIMIT); the CSV streams.
# - Not longer: a stuck request holds one of only a few workers, and a proxy in front usually
#   gives up after 60 s anyway (nginx's proxy_read_timeout default).
# Work that needs more belongs in a background task, not a longer timeout.
timeout = 60
# On docker stop (SIGTERM) workers may finish the request in hand for this long, then gunicorn
# kills them itself: under docker's default 10 s before its SIGKILL, so the shutdown stays
# gunicorn's (a longer grace needs the container's stop_grace_period raised with it).
graceful_timeout = 8
