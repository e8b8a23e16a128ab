"""The ``sessions`` section: mail clients reading mailboxes (``docs/scenarios.md``).

A session names two hosts and a user, so besides the field types it is
checked against the rest of the file: the client must be a host with the
role ``mua``, the server a host with the role named by ``protocol`` (a POP3
client cannot read from a host that does not listen on 110), and the user
one of ``users``.  Options that cannot work together are refused here, with
the line, rather than silently ignored by the network.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from yaml.nodes import Node

from simulator.scenarios.loader_imap import Author, flat, imap_steps
from simulator.scenarios.loader_nodes import HOSTNAME, Checker, HostRefs
from simulator.scenarios.model import SESSION_PROTOCOLS, Host, Message, Options, Session, User

SESSION_KEYS = ("at", "client", "protocol", "server", "user", "password", "apop", "stls", "tls",
                "commands", "leave_copy", "drop", "pause", "pipeline", "passive", "uploads")
#: An FTP client's options: passive or active data connections, its local files for STOR.
FTP_ONLY = ("passive", "uploads")
#: Options that only POP3 has: RFC 937 knows neither APOP nor STLS.
POP3_ONLY = ("apop", "stls", "tls")
#: POP's download plan and broken connections; an IMAP client leaves mail on the server.
POP_ONLY = ("leave_copy", "drop")


def build_session(c: Checker, node: Node, number: int, refs: HostRefs,
                  hosts: tuple[Host, ...], users: tuple[User, ...],
                  start: datetime | None = None, messages: tuple[Message, ...] = ()) -> Session:
    """One item of ``sessions``, checked field by field and against hosts and users."""
    f = c.mapping(node, "sessions", f"sessions #{number}", SESSION_KEYS,
                  required=("client", "protocol", "server", "user"))
    protocol = c.choice(f["protocol"][1], "protocol", SESSION_PROTOCOLS)
    client = _host(c, f, "client", "mua", refs, hosts)
    server = _host(c, f, "server", protocol, refs, hosts)
    for key in POP3_ONLY:
        if protocol != "pop3" and c.get(f, key, "bool", False):
            c.fail(f[key][0], "pop3_only", key=key, got=f"'{protocol}'")
    for key in FTP_ONLY:
        if protocol != "ftp" and key in f:
            c.fail(f[key][0], "ftp_only", key=key, got=f"'{protocol}'")
    if protocol == "imap":
        return _imap_session(c, f, client, server, users, start, messages)
    if protocol == "ftp":
        return _ftp_session(c, f, client, server, users)
    if "pipeline" in f:
        c.fail(f["pipeline"][0], "imap_only", key="pipeline", got=f"'{protocol}'")
    commands = _commands(c, f, protocol)
    _check_plan_options(c, f, commands)
    password, retries = _passwords(c, f, protocol)
    return Session(
        at=c.get(f, "at", "number", 0.0), client=client, protocol=protocol, server=server,
        user=_user(c, f["user"][1], users), password=password, retries=retries,
        apop=c.get(f, "apop", "bool", False), stls=c.get(f, "stls", "bool", False),
        tls=c.get(f, "tls", "bool", False),
        commands=commands, leave_copy=c.get(f, "leave_copy", "bool", True),
        drop=c.get(f, "drop", "bool", False), pause=c.get(f, "pause", "number", 0.0))


def _imap_session(c: Checker, f: dict, client: str, server: str, users: tuple[User, ...],
                  start: datetime | None, messages: tuple[Message, ...]) -> Session:
    """An IMAP session: its script as steps (:mod:`.loader_imap`); an APPEND's message
    is written by the user's mail program at the session's start time."""
    for key in POP_ONLY:
        if key in f:
            c.fail(f[key][0], "pop_only", key=key)
    login = _user(c, f["user"][1], users)
    at = c.get(f, "at", "number", 0.0)
    steps = ()
    if "commands" in f:
        items = c.listed(f, "commands")
        if not items:
            c.fail(f["commands"][1], "empty_list", key="commands")
        author = Author(_owner(login, users), (start or Options().start_time) + timedelta(seconds=at),
                        client, at, messages)
        steps = imap_steps(c, items, c.get(f, "pipeline", "bool", False), author)
    password, retries = _passwords(c, f, "imap")
    return Session(
        at=at, client=client, protocol="imap", server=server,
        user=login, password=password, retries=retries,
        commands=flat(steps) if "commands" in f else None,
        pause=c.get(f, "pause", "number", 0.0), steps=steps)


def _ftp_session(c: Checker, f: dict, client: str, server: str,
                 users: tuple[User, ...]) -> Session:
    """An FTP session: its commands after the login (RFC 959), passive or active data
    connections, and the client's local files that its STOR lines upload."""
    for key in (*POP_ONLY, "pipeline"):
        if key in f:
            c.fail(f[key][0], "ftp_only_not", key=key)
    uploads = ()
    if "uploads" in f:
        fields = c.mapping(f["uploads"][1], "uploads", "uploads", None)
        uploads = tuple((name, c.value(value, name, "text").encode("utf-8"))
                        for name, (_, value) in fields.items())
    password, retries = _passwords(c, f, "ftp")
    if retries:
        c.fail(f["password"][1], "ftp_retry", key="password")
    return Session(
        at=c.get(f, "at", "number", 0.0), client=client, protocol="ftp", server=server,
        user=_user(c, f["user"][1], users), password=password,
        commands=_commands(c, f, "ftp"), pause=c.get(f, "pause", "number", 0.0),
        passive=c.get(f, "passive", "bool", True), uploads=uploads)


def _passwords(c: Checker, f: dict, protocol: str) -> tuple[str | None, tuple[str, ...]]:
    """``password: x`` or a list: what the user types at each login attempt.  After a
    refusal the client tries the next one (RFC 1939 §7, RFC 9051 §6.2.3); POP2 has no
    second try (RFC 937: the server closes after a refused HELO)."""
    nodes = c.listed(f, "password")
    if "password" in f and not nodes:
        c.fail(f["password"][1], "empty_list", key="password")
    passwords = tuple(c.value(n, "password", "text") for n in nodes)
    if len(passwords) > 1 and protocol == "pop2":
        c.fail(f["password"][1], "pop2_retry", key="password")
    return (passwords[0] if passwords else None), passwords[1:]


def _host(c: Checker, f: dict, key: str, role: str, refs: HostRefs,
          hosts: tuple[Host, ...]) -> str:
    """A declared host with ``role``; an undeclared one is left to the reference check."""
    node = f[key][1]
    name = c.matching(node, key, HOSTNAME, "hostname")
    refs.add(node, key, name)
    host = next((h for h in hosts if h.name == name), None)
    if host is not None and role not in host.roles:
        c.fail(node, "session_role", key=key, got=f"'{name}'", roles=", ".join(host.roles),
               role=role)
    return name


def _owner(login: str, users: tuple[User, ...]) -> User:
    """The user a checked login names (an address or a unique local part)."""
    return next(u for u in users if u.address.lower() == login.lower()
                or u.address.partition("@")[0] == login)


def _user(c: Checker, node: Node, users: tuple[User, ...]) -> str:
    """A login that names exactly one user: a full address or a unique local part."""
    login = c.value(node, "user", "text")
    if "@" in login:
        found = [u for u in users if u.address.lower() == login.lower()]
    else:
        found = [u for u in users if u.address.partition("@")[0] == login]
    if len(found) != 1:
        c.fail(node, "session_user", key="user", got=f"'{login}'",
               allowed=", ".join(u.address for u in users) or "—")
    return login


def _commands(c: Checker, f: dict, protocol: str) -> tuple[str, ...] | None:
    """The scripted lines, each one command line of ``protocol`` (the client adds CRLF)."""
    if "commands" not in f:
        return None
    items = c.listed(f, "commands")
    if not items:
        c.fail(f["commands"][1], "empty_list", key="commands")
    lines = []
    for item in items:
        line = c.value(item, "commands", "text")
        if not line.strip() or "\n" in line or "\r" in line:
            c.fail(item, "command_line", key="commands", got=c.show(item))
        _check_verb(c, item, line, protocol)
        lines.append(line)
    return tuple(lines)


def _check_verb(c: Checker, item: Node, line: str, protocol: str) -> None:
    """A POP3, POP2 or FTP line starts with a command the protocol has (RFC 1939 §3,
    RFC 937, RFC 959 §5.3.1)."""
    if protocol == "pop2":
        from simulator.protocols.pop2.states import ALL_COMMANDS
    elif protocol == "ftp":
        from simulator.protocols.ftp.states import ALL_COMMANDS
    else:
        from simulator.protocols.pop3.states import ALL_COMMANDS
    verb = line.split()[0]
    if verb.upper() not in ALL_COMMANDS:
        c.fail(item, "unknown_command", key="commands", got=f"'{verb}'",
               protocol=protocol.upper(), hint=c.hint(verb.upper(), ALL_COMMANDS),
               allowed=", ".join(ALL_COMMANDS))


def _check_plan_options(c: Checker, f: dict, commands: tuple[str, ...] | None) -> None:
    """``leave_copy`` belongs to the plan; ``drop`` replaces the script's QUIT."""
    if commands is not None and "leave_copy" in f:
        c.fail(f["leave_copy"][0], "plan_only", key="leave_copy")
    if not c.get(f, "drop", "bool", False):
        return
    if commands is None:
        c.fail(f["drop"][0], "drop_needs_commands", key="drop")
    for item, line in zip(c.listed(f, "commands"), commands):
        if line.split()[0].upper() == "QUIT":
            c.fail(item, "drop_with_quit", key="commands")
