"""Refuse to start `make run` on a port another program already holds, naming it.

Run by the Makefile before anything is installed, with whatever Python 3 is on PATH (the
project's .venv may not exist yet), so it uses the standard library only.

    python3 scripts/check_port.py HOST PORT

Exit status 0 when the port is free, 1 when it is taken (with a message suggesting a free
one), 2 when PORT is not a port number or the port cannot be used at all.
"""

import errno
import socket
import sys

# How far above a busy port to look for a free one to suggest.
SUGGESTION_RANGE = 20


def port_number(text):
    """The port as an int, or None when it is not a number from 1 to 65535."""
    text = text.strip()
    if not text.isdigit():
        return None
    port = int(text)
    return port if 1 <= port <= 65535 else None


def is_free(host, port):
    """Whether the development server could listen on (host, port) now.

    Binds as Django's runserver does (SO_REUSEADDR, like every socketserver.TCPServer), so a
    connection still in TIME_WAIT after a server was stopped does not count as busy, while a
    program listening on the port, on this address or on all addresses, does.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def free_port_above(host, port):
    """The first free port after `port` (within SUGGESTION_RANGE), or None."""
    for candidate in range(port + 1, min(port + 1 + SUGGESTION_RANGE, 65536)):
        try:
            if is_free(host, candidate):
                return candidate
        except OSError:
            return None
    return None


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check_port.py HOST PORT\n")
        return 2
    host, text = argv[1], argv[2]
    port = port_number(text)
    if port is None:
        sys.stderr.write(
            f"error: PORT={text} is not a port number: give one from 1 to 65535, "
            "e.g. make run PORT=8001\n"
        )
        return 2
    try:
        free = is_free(host, port)
    except OSError as error:
        # E.g. a port below 1024 without root (EACCES), or an address not on this machine.
        sys.stderr.write(
            f"error: cannot serve on {host} port {port}: {error.strerror or error}. "
            "Choose another, e.g. make run PORT=8001\n"
        )
        return 2
    if free:
        return 0
    suggestion = free_port_above(host, port) or port + 1
    sys.stderr.write(
        f"error: port {port} on {host} is already in use (another `make run`, or another "
        "program), so nothing was installed or started.\n"
        f"       Stop that program, or serve on another port: make run PORT={suggestion}\n"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
