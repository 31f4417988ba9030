# Production image for Kehui Carbon: gunicorn runs Django, WhiteNoise serves the static files.
#   docker build -t kehui-carbon .
# Run it with docker compose (docker-compose.yml), which also starts PostgreSQL and migrates.
# Needs at run time: SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see kehui/settings.py).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The unprivileged account the app runs as. It owns nothing in /app except var/.
RUN groupadd --system --gid 10001 kehui \
 && useradd --system --uid 10001 --gid kehui --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin kehui

WORKDIR /app

# Dependencies first, in a layer of their own: editing the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep=chr(10))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# Then the project itself. settings.BASE_DIR is derived from kehui/settings.py, so the copy
# in /app (next to templates/, static/, locale/) must be the one imported, not the copy pip
# puts in site-packages: PYTHONPATH=/app below puts /app first on sys.path.
COPY kehui/ kehui/
COPY emissions/ emissions/
RUN pip install . \
 && rm -rf build ./*.egg-info
COPY manage.py ./
# gunicorn reads ./gunicorn.conf.py from the working directory (here /app) on its own: it drops
# the "Server: gunicorn" banner.
COPY gunicorn.conf.py ./
COPY templates/ templates/
COPY static/ static/
# Compiled catalogues (.mo) must already be in locale/: the slim image has no gettext.
COPY locale/ locale/

ENV DEBUG=false \
    PYTHONPATH=/app \
    GUNICORN_WORKERS=3

# settings refuse to load without SECRET_KEY when DEBUG is false. This throwaway key is set
# for this RUN line only (visible in `docker history`, absent from the image's environment);
# the real key comes at run time.
# var/ is where the SQLite fallback lives when DATABASE_URL is unset; the app may write it.
# var/media/ holds uploaded evidence files; it exists in the image so that a volume mounted
# there starts out owned by the app's user.
RUN SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput \
 && mkdir -p var/media \
 && chown -R kehui:kehui var

# Numeric so that orchestrators can verify the image does not run as root (runAsNonRoot).
USER 10001:10001

EXPOSE 8000

# No curl in the slim image, so Python asks for the login page (no login needed). The Host
# header is the first ALLOWED_HOSTS entry, else Django answers 400. http.client does not follow
# redirects, so the 301 to https that SECURE_SSL_REDIRECT gives counts as healthy (< 400).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; \
        host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); \
        host = 'localhost' if host in ('', '*') else host; \
        conn = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); \
        conn.request('GET', '/accounts/login/', headers={'Host': host}); \
        sys.exit(conn.getresponse().status >= 400)"]

# exec: gunicorn becomes PID 1 and gets docker stop's SIGTERM for a graceful shutdown.
# --no-control-socket: gunicorn would otherwise try to create ~/.gunicorn/, and this user
# has no home directory; docker's own signals are enough to manage the process.
# No --timeout or --graceful-timeout here: gunicorn.conf.py sets them, with the reasons, and a
# command-line value would override it.
CMD ["sh", "-c", "exec gunicorn kehui.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-3}\" --access-logfile - --no-control-socket"]
