"""`make run`: a busy port is found before anything is installed, and says which and what to do."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK_PORT = ROOT / "scripts" / "check_port.py"


def check_port(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK_PORT), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def busy_port():
    """A port some other program listens on, as a running server would."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_busy_port_is_refused_with_a_message_naming_it_and_another_to_use(busy_port):
    result = check_port("127.0.0.1", str(busy_port))
    assert result.returncode == 1
    assert f"error: port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "nothing was installed or started" in result.stderr
    assert "make run PORT=" in result.stderr
    suggested = int(result.stderr.rsplit("make run PORT=", 1)[1].split()[0])
    assert suggested != busy_port


def test_a_port_busy_on_all_addresses_is_busy_on_localhost_too():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        port = server.getsockname()[1]
        result = check_port("127.0.0.1", str(port))
    assert result.returncode == 1
    assert f"port {port}" in result.stderr


def test_a_free_port_passes_silently():
    result = check_port("127.0.0.1", str(free_port()))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_port_closed_a_moment_ago_is_free_again():
    # The server's last connections linger in TIME_WAIT; runserver binds with SO_REUSEADDR.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _address = server.accept()
            accepted.close()  # the server side closes first: its end waits in TIME_WAIT
            client.recv(1)
    assert check_port("127.0.0.1", str(port)).returncode == 0


@pytest.mark.parametrize("port", ["abc", "0", "65536", "80.5", ""])
def test_a_port_that_is_not_a_port_number_is_named(port):
    result = check_port("127.0.0.1", port)
    assert result.returncode == 2
    assert f"PORT={port} is not a port number" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_checks_the_port_before_installing_and_serves_on_the_port_asked_for():
    # A dry run prints the commands without running them (the sub-make's too).
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    check = next(i for i, line in enumerate(lines) if "scripts/check_port.py" in line)
    assert '"127.0.0.1" "8001"' in lines[check]
    first_install_or_manage = next(
        i for i, line in enumerate(lines) if "pip install" in line or "manage.py" in line
    )
    assert check < first_install_or_manage
    # The logins are printed after the demo data, just before the server starts.
    serve = "\n".join(lines[first_install_or_manage:])
    assert "create_demo_superuser --url http://127.0.0.1:8001" in serve
    assert serve.index("load_demo") < serve.index('echo "$logins"') < serve.index("runserver")
    assert 'runserver "127.0.0.1:8001"' in serve
    # The job worker starts beside the server, and is stopped with it.
    assert serve.index('echo "$logins"') < serve.index("db_worker") < serve.index("runserver")
    assert "trap 'kill $worker" in serve
