"""The architecture of docs/architecture.md, checked: layers, imports, the engine contract.

* The layers depend only downward (protocols ← mail ← network ← server, widgets,
  cli), with no import cycle, counting imports inside functions too, and no
  module imports a private (``_``) name from another package.
* Every protocol engine keeps the contract of ``simulator.protocols.Engine``:
  the drivers (the simulated network, ``mailsim serve``, the notebook console)
  rely on nothing else, so an engine that drifts from it breaks all three.
  The engines are found by walking the package: a new one (FTP, HTTP …) fails
  here until it is given a factory and keeps the contract.
"""
import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import textwrap
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

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
from simulator.protocols._base import CommandTable
from simulator.protocols.ftp import FTPClient, FTPConfig, FTPServer, MemoryFiles
from simulator.protocols.ftp import server as ftp_server
from simulator.protocols.ftp import states as ftp_states
from simulator.protocols.http import Browser, HTTPClient, HTTPConfig, HTTPServer, Page, StaticSite
from simulator.protocols.http import Step as HTTPStep
from simulator.protocols.http import server as http_server
from simulator.protocols.http import states as http_states
from simulator.protocols.imap import IMAPConfig, IMAPServer
from simulator.protocols.imap import outcome as imap_outcome
from simulator.protocols.imap import states as imap_states
from simulator.protocols.imap.client import IMAPClient
from simulator.protocols.pop2 import POP2Client, POP2Config, POP2Server
from simulator.protocols.pop2 import server as pop2_server
from simulator.protocols.pop2 import states as pop2_states
from simulator.protocols.pop3 import POP3Client, POP3Config, POP3Server
from simulator.protocols.pop3 import server as pop3_server
from simulator.protocols.pop3 import states as pop3_states
from simulator.protocols.smtp import Envelope, ServerConfig, SMTPClient, SMTPServer, parse_path
from simulator.protocols.smtp import client_flow as smtp_client_flow
from simulator.protocols.smtp import server_commands as smtp_server_commands
from simulator.protocols.smtp import states as smtp_states

FORBIDDEN = ("asyncio", "socket", "ipywidgets", "matplotlib")
PACKAGE = Path(simulator.protocols.__file__).parents[1]

#: The layers, lowest first: a module may import its own layer's packages and lower ones.
#: (locale, trace and views are the shared vocabulary; the engines need none of it.)
LAYERS = (
    ("protocols",),
    ("simulator", "locale", "trace", "trace_query", "views", "wire"),
    ("mail",),
    ("scenarios",),
    ("network",),
    ("plots",),
    ("server",),
    ("quiz",),
    ("widgets", "cli", "cli_args", "cli_quiz", "lab", "replay", "replay_stepper", "__main__"),
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


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


# -- imports: layers, cycles, private names -----------------------------------------------

def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name → (file, is a package's __init__) for every module of simulator."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


MODULES = _modules()


def _runtime_imports(path: Path):
    """Every import statement that runs, at module level or inside a function (not the
    ``if TYPE_CHECKING:`` blocks, which only the type checker reads)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree)
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    return [n for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in typing_only]


def _targets(module: str, package: bool, node) -> list[str]:
    """The dotted names an import statement reaches: the module and each imported name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        here = (module if package else module.rpartition(".")[0]).split(".")
        base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _imports() -> list[tuple[str, str]]:
    """(importer, imported dotted name) for every runtime import inside simulator."""
    return [(module, target) for module, (path, package) in MODULES.items()
            for node in _runtime_imports(path) for target in _targets(module, package, node)
            if target.split(".")[0] == "simulator"]


def _module_of(name: str) -> str:
    """The module a dotted name lives in (``simulator.protocols.Engine`` → the package)."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_the_layers_depend_only_downward():
    upward = sorted({f"{a} imports {b}" for a, b in _imports()
                     if RANK[_layer(_module_of(b))] > RANK[_layer(a)]})
    assert upward == []


def test_every_module_has_a_layer():
    assert {_layer(m) for m in MODULES} <= set(RANK)


def test_there_are_no_import_cycles_not_even_through_function_level_imports():
    graph = defaultdict(set)
    for importer, target in _imports():
        module = _module_of(target)
        if module != importer and not importer.startswith(module + "."):   # not its own package
            graph[importer].add(module)
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _owner(name: str) -> str | None:
    """The package a private dotted name belongs to, or None if nothing in it is private."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            owner = ".".join(parts[:i])
            return owner if MODULES.get(owner, (None, True))[1] else owner.rpartition(".")[0]
    return None


def test_no_module_imports_a_private_name_from_another_package():
    leaks = sorted({f"{importer} imports {target}" for importer, target in _imports()
                    if (owner := _owner(target)) is not None
                    and not (importer == owner or importer.startswith(owner + "."))})
    assert leaks == []


def test_the_import_checks_see_what_they_claim(tmp_path):
    """The checks would notice: a function-level import and a private name are both found."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from simulator.network.recorder import _hidden\n")
    (node,) = _runtime_imports(sample)
    assert _targets("simulator.widgets.sample", False, node)[-1] == \
        "simulator.network.recorder._hidden"
    assert _owner("simulator.network.recorder._hidden") == "simulator.network"
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


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
class _FTPAccounts:
    """The FTP backend over the mail store: the accounts, one empty tree of files."""

    def __init__(self, store) -> None:
        self.store = store

    def login(self, user, password):
        return MemoryFiles() if self.store.authenticate(user, password) else None

    def passive_port(self):
        return 50000


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
    "HTTP": (lambda store: HTTPClient(Browser("www.test", [HTTPStep("GET", "/")])),
             lambda store: HTTPServer(HTTPConfig("www.test"), StaticSite(
                 {"/": Page(b"hi")}, datetime(2026, 9, 1, tzinfo=UTC)), session_id="h")),
    "FTP": (lambda store: FTPClient(USER, PASSWORD, script=["PWD", "NOOP"]),
            lambda store: FTPServer(FTPConfig("ftp.test"), _FTPAccounts(store))),
}
FACTORIES = {type(make(_store())): make for pair in PAIRS.values() for make in pair}
ENGINES = sorted(FACTORIES, key=lambda cls: cls.__name__)


def _engine_classes() -> set[type]:
    """Every concrete engine class defined anywhere under simulator.protocols."""
    found = set()
    for info in pkgutil.walk_packages(simulator.protocols.__path__, "simulator.protocols."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == info.name and cls is not Engine
                    and callable(getattr(cls, "receive_data", None))
                    and callable(getattr(cls, "take_transcript", None))
                    and not cls.__subclasses__()):
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
    if client.closed and not server.closed:   # the driver hangs up for a client that is done
        events += server.receive_data(b"")
    assert client.closed and server.closed
    assert (TLSRequested() in events) is (protocol not in ("POP2", "HTTP", "FTP"))
    assert all(isinstance(u.state_after, str) for u in server.take_transcript())


# -- one registration style, declared attributes only ------------------------------------

#: Each engine's handler table → the keys its state table says it must handle.
TABLES = {
    "SMTP server": (smtp_server_commands.HANDLERS, set(smtp_states.COMMANDS)),
    "SMTP client": (smtp_client_flow.HANDLERS,
                    set(smtp_states.ClientState) - {smtp_states.ClientState.DONE,
                                                    smtp_states.ClientState.ERROR}),
    "POP3 server": (pop3_server.HANDLERS, set(pop3_states.ALL_COMMANDS)),
    "POP2 server": (pop2_server.HANDLERS, set(pop2_states.ALL_COMMANDS)),
    "FTP server": (ftp_server.HANDLERS, set(ftp_states.ALL_COMMANDS)),
    # the lines that end a command in progress (DONE after IDLE) are not commands
    "HTTP server": (http_server.HANDLERS, set(http_states.KINDS)),
    "IMAP server": (imap_outcome.HANDLERS,
                    {command for state, row in imap_states.TABLE.items()
                     if state not in imap_states.LINE_ENDS for command in row}),
}


@pytest.mark.parametrize("engine", sorted(TABLES))
def test_every_command_of_the_state_table_has_one_registered_handler(engine):
    """One registration style (issue 9, step 2): each engine's handlers sit in one
    CommandTable filled by ``@HANDLERS.command(KEY)``, and it covers its state table."""
    table, expected = TABLES[engine]
    assert isinstance(table, CommandTable)
    assert set(table) == expected


def test_a_command_registered_twice_fails_at_import():
    table = CommandTable("demo")
    table.command("NOOP")(lambda engine, argument: None)
    with pytest.raises(ValueError, match="NOOP"):
        table.command("NOOP")(lambda engine, argument: None)


#: Where a getattr/hasattr would be a probe: the engines, and the drivers around them
#: (the simulated network, mailsim serve's socket driver, the notebook console).
PROBE_FREE = ("protocols", "network", "server/driver.py", "server/tls_switch.py",
              "server/live_record.py", "widgets/console_session.py",
              "widgets/console.py")


def _probes(path: Path) -> list[str]:
    """``getattr``/``hasattr`` calls and ``__getattr__`` methods in a module's source
    (a package's lazy-import hook, a module-level ``__getattr__`` (PEP 562), aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lazy = {id(node) for top in tree.body
            if isinstance(top, ast.FunctionDef) and top.name == "__getattr__"
            for node in ast.walk(top)}
    found = [f"{path.name}:{n.lineno} {n.func.id}" for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id in ("getattr", "hasattr") and id(n) not in lazy]
    found += [f"{path.name}:{n.lineno} __getattr__" for n in ast.walk(tree)
              if isinstance(n, ast.FunctionDef) and n.name == "__getattr__" and id(n) not in lazy]
    return found


def _probe_free_files() -> list[Path]:
    files = []
    for where in PROBE_FREE:
        target = PACKAGE / where
        files += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return files


def test_engines_and_drivers_never_probe_with_getattr_or_hasattr():
    """No handler looked up by a name built at run time, no ``hasattr(service, …)`` in a
    driver: what an engine, a service or a node offers is declared, and used as declared."""
    assert [p for path in _probe_free_files() for p in _probes(path)] == []


def test_the_probe_check_sees_a_probe(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(x):\n    return getattr(x, 'y', None) or hasattr(x, 'z')\n"
                      "class P:\n    def __getattr__(self, name):\n        return name\n"
                      "def __getattr__(name):\n    return getattr(f, name)\n")
    assert _probes(sample) == ["sample.py:2 getattr", "sample.py:2 hasattr",
                               "sample.py:4 __getattr__"]


def _protocol_classes() -> list[type]:
    """Every class defined in a module of simulator.protocols."""
    found = []
    for info in pkgutil.walk_packages(simulator.protocols.__path__, "simulator.protocols."):
        module = importlib.import_module(info.name)
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if cls.__module__ == info.name]
    return found


def _self_attributes(cls: type) -> tuple[set[str], set[str]]:
    """(names read as ``self.x``, names assigned as ``self.x = …``) in the class's own body."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    used, assigned = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "self":
            (assigned if isinstance(node.ctx, ast.Store) else used).add(node.attr)
    return used, assigned


def _declared(cls: type) -> set[str]:
    """What a class may use on self: its own and its bases' members, annotations and the
    attributes their methods assign."""
    names = set()
    for base in cls.__mro__:
        names |= set(vars(base)) | set(vars(base).get("__annotations__", {}))
        if base.__module__.startswith("simulator."):
            names |= _self_attributes(base)[1]
    return names


@pytest.mark.parametrize("cls", _protocol_classes(), ids=lambda c: c.__qualname__)
def test_every_class_uses_only_attributes_it_or_its_bases_declare(cls):
    """No mixin that leans on attributes some other class happens to set (issue 9, step 2):
    a class reads on ``self`` only what its own MRO declares, assigns or defines."""
    used, _ = _self_attributes(cls)
    assert sorted(used - _declared(cls)) == []


def test_the_declared_attribute_check_sees_a_mixin_that_borrows():
    class Borrower:
        def run(self):
            return self.owned_elsewhere

    assert _self_attributes(Borrower)[0] - _declared(Borrower) == {"owned_elsewhere"}


# -- the architecture is documented in the repository -------------------------------------

def test_code_and_tests_refer_only_to_documents_inside_the_repository():
    """The code cites docs/architecture.md, which exists; nothing cites the old design file."""
    root = PACKAGE.parent
    texts = {p: p.read_text(encoding="utf-8") for folder in ("simulator", "tests")
             for p in (root / folder).rglob("*.py")}
    cited = {m for text in texts.values() for m in re.findall(r"docs/[\w-]+\.md", text)}
    assert "docs/architecture.md" in cited and (root / "docs/architecture.md").is_file()
    outside = ("DESIGN" + ".md", "../" + "shared")      # spelled apart: this file must not match
    assert sorted(str(p.relative_to(root)) for p, text in texts.items()
                  if any(o in text for o in outside)) == []
