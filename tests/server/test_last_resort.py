"""An engine that raises is our bug: the client gets the protocol's error, never a traceback.

The engines are made to fail on purpose (a command containing BOOM) to test
the driver's one last-resort path; the IMAP case at the end sends bytes that
really used to end the connection with a traceback (issue 16, item 1).
"""
import logging
import socket

import pytest

from simulator.protocols.imap import IMAPServer
from simulator.protocols.pop2 import POP2Server
from simulator.protocols.pop3 import POP3Server
from simulator.protocols.smtp import SMTPServer
from simulator.server.driver import MAX_FAULTS

ENGINES = {"smtp": SMTPServer, "pop3": POP3Server, "pop2": POP2Server, "imap": IMAPServer}
#: service, the failing command, its answer, a harmless command and its answer, the last answer
CASES = [
    ("smtp", b"BOOM\r\n", b"500 5.3.0 ", b"NOOP\r\n", b"250", b"421 4.3.0 "),
    ("pop3", b"BOOM\r\n", b"-ERR [SYS/PERM] ", b"USER student\r\n", b"+OK",
     b"-ERR [SYS/PERM] "),
    ("pop2", b"BOOM\r\n", b"- Internal error", b"HELO student student\r\n", b"#",
     b"- Internal"),
    ("imap", b"t1 BOOM\r\n", b"t1 BAD [SERVERBUG] ", b"t2 NOOP\r\n", b"t2 OK",
     b"* BYE [SERVERBUG] "),
]


@pytest.fixture
def exploding(monkeypatch):
    """Every engine raises on a command that contains BOOM."""
    for engine in ENGINES.values():
        def receive_data(self, data, original=engine.receive_data):
            if b"BOOM" in data:
                raise RuntimeError("a bug planted by the test")
            return original(self, data)
        monkeypatch.setattr(engine, "receive_data", receive_data)


@pytest.mark.parametrize("service,boom,error,harmless,fine,last", CASES,
                         ids=[c[0] for c in CASES])
def test_an_engine_fault_is_answered_in_the_protocol_and_the_session_goes_on(
        live, exploding, caplog, service, boom, error, harmless, fine, last):
    caplog.set_level(logging.ERROR, logger="mailsim.server")
    with socket.create_connection(("127.0.0.1", live.settings[service]), 30) as sock:
        reader = sock.makefile("rb")
        assert reader.readline()                              # the greeting
        sock.sendall(boom)
        assert reader.readline().startswith(error)
        sock.sendall(harmless)                                # the connection is still there
        assert reader.readline().startswith(fine)
        for _ in range(MAX_FAULTS - 2):
            sock.sendall(boom)
            assert reader.readline().startswith(error)
        sock.sendall(boom)
        assert reader.readline().startswith(last)             # enough: goodbye
        assert reader.read() == b""
    assert not any(b"Traceback" in s.raw or b"RuntimeError" in s.raw
                   for s in live.trace if s.direction == "s2c")
    faults = [s for s in live.trace if s.explain.startswith("serve.explain.engine_fault")]
    assert len(faults) == MAX_FAULTS and faults[-1].explain.endswith("_last")
    assert "RuntimeError" in faults[0].params["error"]
    assert any(r.exc_info for r in caplog.records)            # the log has the traceback


@pytest.mark.parametrize("command", [b"a 10", b"a NIL", b"a SEAR]CH ALL", b"a 1:*"])
def test_imap_nonsense_before_login_gets_bad_and_the_session_goes_on(live, command):
    with socket.create_connection(("127.0.0.1", live.settings["imap"]), 30) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"* OK")
        sock.sendall(command + b"\r\n")
        assert reader.readline().startswith(b"a BAD ")
        sock.sendall(b"b CAPABILITY\r\n")
        assert reader.readline().startswith(b"* CAPABILITY")
        assert reader.readline().startswith(b"b OK")
