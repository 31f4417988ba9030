"""gunicorn.conf.py: the server started the way the image starts it sends no Server banner."""

import http.client
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
APP = """
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def free_port() -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 0))
        except OSError as error:
            pytest.skip(f"cannot bind a local port: {error}")
        return probe.getsockname()[1]


def get(port: int, server: subprocess.Popen) -> http.client.HTTPResponse:
    """The response to GET /, once gunicorn answers (within 8 s)."""
    deadline = time.monotonic() + 8
    while True:
        if server.poll() is not None:
            log = server.stderr.read()
            if "Address already in use" in log:
                pytest.skip("the port was taken before gunicorn could bind it")
            pytest.fail(f"gunicorn exited:\n{log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            return connection.getresponse()
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 8 s")
            time.sleep(0.1)


@pytest.fixture
def app_dir(tmp_path):
    (tmp_path / "banner_app.py").write_text(textwrap.dedent(APP))
    return tmp_path


def serve(app_dir: Path, *options: str) -> tuple[int, subprocess.Popen]:
    port = free_port()
    # Run from the project root, as the image runs from /app: gunicorn finds
    # ./gunicorn.conf.py there by itself.
    command = [
        str(GUNICORN), "banner_app:application", "--pythonpath", str(app_dir),
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket", *options,
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    return port, server


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_gunicorn_started_from_the_project_root_sends_no_server_header(app_dir):
    port, server = serve(app_dir)
    try:
        response = get(port, server)
        assert response.status == 200
        assert response.read() == b"ok"
        assert response.getheader("Server") is None
        assert response.getheader("Date") is not None  # the other headers are still written
    finally:
        stop(server)


def test_without_the_config_gunicorn_would_announce_itself(app_dir):
    # The check above is only worth something if gunicorn sends the banner on its own.
    (app_dir / "none.conf.py").write_text("")
    port, server = serve(app_dir, "--config", str(app_dir / "none.conf.py"))
    try:
        response = get(port, server)
        assert response.getheader("Server", "").startswith("gunicorn")
    finally:
        stop(server)


def test_the_image_carries_the_config_next_to_the_app():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "WORKDIR /app" in dockerfile
    assert "COPY gunicorn.conf.py ./" in dockerfile


def resolved_settings(app_dir: Path) -> dict[str, str]:
    """gunicorn's settings as it resolves them when started from the project root."""
    command = [
        str(GUNICORN), "--print-config", "--pythonpath", str(app_dir), "banner_app:application",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    # It prints the settings, then loads the app to check it, which fails here (the pythonpath
    # is applied to workers only): the exit status says nothing about the settings.
    assert "timeout" in done.stdout, done.stderr
    settings = {}
    for line in done.stdout.splitlines():
        name, _equals, value = line.partition("=")
        settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_reads_the_deliberate_timeouts_from_the_config(app_dir):
    settings = resolved_settings(app_dir)
    assert settings["config"] == "./gunicorn.conf.py"
    # Not gunicorn's 30 s default: the limits of long requests are measured against 60 s.
    assert settings["timeout"] == "60"
    assert settings["graceful_timeout"] == "8"  # under docker stop's default 10 s


def test_neither_the_image_nor_compose_overrides_the_timeout():
    for name in ("Dockerfile", "docker-compose.yml"):
        text = (ROOT / name).read_text(encoding="utf-8")
        command = text[text.index("exec gunicorn") :]
        assert "--timeout" not in command, name
        assert "--graceful-timeout" not in command, name
