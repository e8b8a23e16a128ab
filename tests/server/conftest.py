"""Start ``mailsim serve`` in-process on free ports for real clients."""
import random
import socket
import ssl

import pytest

from simulator.server import serve_in_background
from simulator.server.services import SERVICE_TABLE

STANDARD_PORTS = [port for _, _, port, _, _ in SERVICE_TABLE]


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_offset() -> int:
    """An offset that leaves every standard port + offset free (tried at random)."""
    for _ in range(200):
        offset = random.randrange(20000, 60000, 7)
        if all(port_free(p + offset) for p in STANDARD_PORTS):
            return offset
    raise RuntimeError("no free port range")


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.fixture(autouse=True)
def _data_home(tmp_path_factory, monkeypatch):
    """The self-signed certificate goes to a throwaway XDG data folder, made once."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg"))


@pytest.fixture
def live():
    with serve_in_background(port_offset=free_offset()) as server:
        yield server
