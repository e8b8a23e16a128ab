"""The architecture of docs/architecture.md, checked: sans-IO engines and their one contract.

Every protocol engine keeps the contract of ``simulator.protocols.Engine``:
the drivers (the simulated network, ``mailsim serve``, the notebook console)
rely on nothing else, so an engine that drifts from it breaks all three.  The
list of engines is found by walking the package: a new engine (FTP, HTTP …)
fails here until it is given a factory and keeps the contract.
"""
import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import simulator.protocols
from simulator.mail.imap_backend import StoreBackend
from simulator.mail.maildrop import StoreMaildrop
from simulator.mail.store import MailStore
from simulator.protocols import (
    ConnectionClosed,
    Engine,
    Event,
    LocalProtocolError,
    RemoteProtocolError,
    TLSRequested,
    Utterance,
)
from simulator.protocols._base import EngineOutput
from simulator.protocols.imap import IMAPConfig, IMAPServer
from simulator.protocols.imap.client import IMAPClient
from simulator.protocols.pop2 import POP2Client, POP2Config, POP2Server
from simulator.protocols.pop3 import POP3Client, POP3Config, POP3Server
from simulator.protocols.smtp import Envelope, ServerConfig, SMTPClient, SMTPServer, parse_path

FORBIDDEN = ("asyncio", "socket", "ipywidgets", "matplotlib")


@pytest.mark.parametrize("package", ["simulator.protocols", "simulator.protocols.smtp",
                                     "simulator.protocols.pop3", "simulator.protocols.pop2",
                                     "simulator.protocols.imap"])
def test_engines_load_no_io_or_gui_modules(package):
    code = (f"import sys, importlib; importlib.import_module({package!r}); "
            f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_trace_and_network_do_not_load_widgets():
    code = ("import sys, simulator.network, simulator.trace; "
            "print(','.join(m for m in ('ipywidgets', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- the engine contract ----------------------------------------------------------------

USER, PASSWORD = "alice@example.org", "wonderland"
MESSAGE = b"From: bob@example.org\r\nSubject: hello\r\n\r\nhi\r\n"


def _store() -> MailStore:
    store = MailStore()
    store.add_user(USER, PASSWORD)
    store.deliver(USER, MESSAGE)
    return store


def _envelope() -> Envelope:
    return Envelope(mail_from=parse_path("<bob@example.org>"),
                    rcpt_to=[parse_path(f"<{USER}>")], content=MESSAGE)


#: (client, server) factories, with STARTTLS/STLS offered and used where the protocol has it.
PAIRS = {
    "SMTP": (lambda store: SMTPClient("client.test", _envelope(), starttls=True),
             lambda store: SMTPServer(ServerConfig(hostname="mx.test", starttls=True))),
    "POP3": (lambda store: POP3Client(USER, PASSWORD, stls=True),
             lambda store: POP3Server(POP3Config("mx.test", stls=True), StoreMaildrop(store),
                                      session_id="p3")),
    "POP2": (lambda store: POP2Client(USER, PASSWORD),
             lambda store: POP2Server(POP2Config("mx.test"), StoreMaildrop(store),
                                      session_id="p2")),
    "IMAP": (lambda store: IMAPClient(USER, PASSWORD, starttls=True),
             lambda store: IMAPServer(IMAPConfig("mx.test", starttls=True), StoreBackend(store),
                                      session_id="i")),
}
FACTORIES = {type(make(_store())): make for pair in PAIRS.values() for make in pair}
ENGINES = sorted(FACTORIES, key=lambda cls: cls.__name__)


def _engine_classes() -> set[type]:
    """Every concrete engine class defined anywhere under simulator.protocols."""
    found = set()
    for info in pkgutil.walk_packages(simulator.protocols.__path__, "simulator.protocols."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == info.name and issubclass(cls, EngineOutput)
                    and not cls.__name__.startswith("_") and not cls.__subclasses__()):
                found.add(cls)
    return found


def test_every_engine_in_the_package_is_checked_here():
    assert _engine_classes() == set(FACTORIES)


@pytest.mark.parametrize("cls", ENGINES, ids=lambda c: c.__name__)
def test_a_fresh_engine_keeps_the_contract(cls):
    engine = FACTORIES[cls](_store())
    assert isinstance(engine, Engine)
    events = engine.initiate()
    assert isinstance(events, list) and all(isinstance(e, Event) for e in events)
    assert isinstance(engine.state, str) and engine.state
    assert engine.closed is False and engine.awaiting_tls is False
    assert isinstance(engine.data_to_send(), bytes)
    transcript = engine.take_transcript()
    assert isinstance(transcript, list) and all(isinstance(u, Utterance) for u in transcript)
    with pytest.raises(LocalProtocolError):
        engine.tls_started()            # no STARTTLS was agreed


@pytest.mark.parametrize("cls", ENGINES, ids=lambda c: c.__name__)
def test_end_of_stream_closes_every_engine_with_one_event(cls):
    engine = FACTORIES[cls](_store())
    engine.initiate()
    events = engine.receive_data(b"")
    assert engine.closed
    assert [e for e in events if isinstance(e, ConnectionClosed)] == \
        [ConnectionClosed("peer-closed")]
    assert engine.receive_data(b"more\r\n") == []     # a closed engine reads nothing


@pytest.mark.parametrize("cls", [POP3Client, POP2Client, SMTPClient, IMAPClient],
                         ids=lambda c: c.__name__)
def test_a_client_fed_nonsense_says_so_or_raises_and_closes(cls):
    engine = FACTORIES[cls](_store())
    try:
        engine.receive_data(b"\x00\x01 nonsense that no server sends\r\n" * 3)
    except RemoteProtocolError:
        assert engine.closed            # the contract: an engine that raises is done
    assert all(isinstance(u, Utterance) for u in engine.take_transcript())


def _drive(client, server, limit: int = 200) -> list[Event]:
    """A driver that uses nothing but the contract, like the three real ones."""
    events = [*server.initiate(), *client.initiate()]
    tls = False
    for _ in range(limit):
        down, up = server.data_to_send(), client.data_to_send()
        if down:
            events += client.receive_data(down)
        if up:
            events += server.receive_data(up)
        if not tls and server.awaiting_tls and client.awaiting_tls:
            server.tls_started()
            client.tls_started()
            tls = True
        elif not down and not up:
            return events
    raise AssertionError("the session did not settle")


@pytest.mark.parametrize("protocol", sorted(PAIRS))
def test_each_client_and_server_finish_a_session_through_the_contract(protocol):
    make_client, make_server = PAIRS[protocol]
    store = _store()
    client, server = make_client(store), make_server(store)
    events = _drive(client, server)
    assert client.closed and server.closed
    assert (TLSRequested() in events) is (protocol != "POP2")
    assert all(isinstance(u.state_after, str) for u in server.take_transcript())
