"""The sections of a scenario file (``docs/scenarios.md``), each checked and built.

One function per section, written in the :class:`Checker` vocabulary.
References to hosts (``client``, ``smtp_server``, ``node``, ``peer``, links)
are collected while reading and checked once every host is known, because a
host may be named before it is declared further down the file.
"""
from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time

from yaml.nodes import MappingNode, Node, ScalarNode

from simulator.locale import LANGUAGES
from simulator.scenarios.loader_http import build_pages, build_visit
from simulator.scenarios.loader_messages import ADDRESS, build_message
from simulator.scenarios.loader_nodes import HOSTNAME, Checker, HostRefs, line_of
from simulator.scenarios.loader_sessions import build_session
from simulator.scenarios.model import (
    FAULT_KINDS,
    ROLES,
    SMTP_EXTENSIONS,
    SOURCE_ROUTE_MODES,
    Fault,
    Host,
    Message,
    Options,
    Scenario,
    User,
    Zone,
)

RCODES = ("SERVFAIL", "NXDOMAIN")

TOP_KEYS = ("name", "description", "seed", "zones", "hosts", "users", "messages",
            "sessions", "faults", "links", "options", "visits")
#: A DKIM selector: one DNS label (RFC 6376 §3.1).
SELECTOR = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")
HOST_KEYS = ("name", "roles", "domains", "submission", "smtp_server", "user", "shared",
             "max_message_size", "backup_for", "extensions", "pages", "imap_server",
             "files", "sender_auth", "dkim_selector", "open_relay", "forward")
USER_KEYS = ("address", "password", "name", "quota")
OPTION_KEYS = ("source_routes", "latency", "retry_schedule", "start_time", "pipelining")
#: fault kind -> (required fields, optional fields); every kind also takes start/end.
FAULT_FIELDS = {
    "node_down": (("node",), ()),
    "link_down": (("node", "peer"), ()),
    "dns": (("name",), ("rcode",)),
    "reply": (("node", "reply"), ("command", "after", "times", "client", "recipient", "explain")),
    "nat": (("node",), ()),
}
assert set(FAULT_FIELDS) == set(FAULT_KINDS)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_REPLY = re.compile(r"^[2-5][0-9][0-9]([ -].*)?$")


def build_scenario(c: Checker, root: Node) -> Scenario:
    """The whole file: the top-level mapping into a Scenario."""
    if not isinstance(root, MappingNode):
        c.fail(root, "top_level", got=c.show(root))
    f = c.mapping(root, "", c.text("where.top"), TOP_KEYS, required=("name", "hosts"))
    refs = HostRefs()
    hosts = _hosts(c, f["hosts"][1], refs)
    users = tuple(_user(c, n, i) for i, n in _numbered(c, f, "users"))
    options = _options(c, f["options"][1]) if "options" in f else Options()
    messages: list[Message] = []
    for i, n in _numbered(c, f, "messages"):
        messages.append(build_message(c, n, i, refs, messages))
    messages = tuple(messages)
    scenario = Scenario(
        name=_name(c, f["name"][1]),
        description=_description(c, f.get("description", (None, None))[1]),
        seed=c.get(f, "seed", "int", 0),
        options=options,
        zones=_zones(c, f["zones"][1]) if "zones" in f else (),
        hosts=hosts,
        users=users,
        messages=messages,
        sessions=tuple(build_session(c, n, i, refs, hosts, users, options.start_time, messages)
                       for i, n in _numbered(c, f, "sessions")),
        faults=tuple(_fault(c, n, i, refs) for i, n in _numbered(c, f, "faults")),
        links=tuple(_link(c, n, refs) for _, n in _numbered(c, f, "links")),
        visits=tuple(build_visit(c, n, i, refs, hosts) for i, n in _numbered(c, f, "visits")),
        source=c.source)
    refs.check(c, hosts)
    return scenario


def _numbered(c: Checker, f: dict, key: str) -> list[tuple[int, Node]]:
    """(1-based number, node) of each item of an optional list section."""
    if key not in f:
        return []
    return list(enumerate(c.items(f[key][1], key), start=1))


def _name(c: Checker, node: Node) -> str:
    name = c.value(node, "name", "text")
    if not _NAME.match(name):
        c.fail(node, "name", key="name", got=c.show(node))
    return name


def _description(c: Checker, node: Node | None) -> dict[str, str]:
    """``{ru: …, en: …}``; a single string serves both languages."""
    if node is None:
        return {}
    if isinstance(node, ScalarNode) and isinstance(c.scalar(node), str):
        text = c.scalar(node)
        return {lang: text for lang in LANGUAGES}
    if not isinstance(node, MappingNode):
        c.fail(node, "type", key="description", expected=c.text("expect.description"),
               got=c.show(node))
    f = c.mapping(node, "description", "description", LANGUAGES)
    return {lang: c.get(f, lang, "text") for lang in f}


def _zones(c: Checker, node: Node) -> tuple[Zone, ...]:
    f = c.mapping(node, "zones", "zones", None)
    return tuple(_zone(c, origin, key_node, text_node)
                 for origin, (key_node, text_node) in f.items())


def _zone(c: Checker, origin: str, key_node: Node, node: Node) -> Zone:
    if not HOSTNAME.match(origin):
        c.fail(key_node, "domain", key="zones", got=f"'{origin}'")
    text = c.value(node, origin, "text")
    # A block scalar (| or >) starts on the line after its indicator; the DNS
    # module adds first_line to a zone-file line number to point into this file.
    first = line_of(node) + (1 if node.style in ("|", ">") else 0)
    return Zone(origin=origin, text=text, source=c.source, first_line=first)


def _hosts(c: Checker, node: Node, refs: HostRefs) -> tuple[Host, ...]:
    hosts: list[Host] = []
    first_line: dict[str, int | None] = {}
    for number, item in enumerate(c.items(node, "hosts"), start=1):
        host = _host(c, item, number, refs)
        if host.name in first_line:
            c.fail(item, "duplicate_host", got=f"'{host.name}'", first=first_line[host.name])
        first_line[host.name] = line_of(item)
        hosts.append(host)
    if not hosts:
        c.fail(node, "empty_list", key="hosts")
    return tuple(hosts)


def _host(c: Checker, node: Node, number: int, refs: HostRefs) -> Host:
    f = c.mapping(node, "hosts", f"hosts #{number}", HOST_KEYS, required=("name", "roles"))
    roles = tuple(c.choice(n, "roles", ROLES, in_list=True)
                  for n in c.items(f["roles"][1], "roles", scalar_ok=True))
    if not roles:
        c.fail(f["roles"][1], "empty_list", key="roles")
    smtp_server = _hostname(c, f, "smtp_server")
    if smtp_server is not None:
        refs.add(f["smtp_server"][1], "smtp_server", smtp_server)
    imap_server = _hostname(c, f, "imap_server")
    if imap_server is not None:
        if "webmail" not in roles:
            c.fail(f["imap_server"][0], "needs_role", key="imap_server", role="webmail",
                   roles=", ".join(roles))
        refs.add(f["imap_server"][1], "imap_server", imap_server)
    if "http" in roles and "webmail" in roles:
        c.fail(f["roles"][1], "web_port_twice", key="roles")
    domains = tuple(c.matching(n, "domains", HOSTNAME, "domain")
                    for n in c.listed(f, "domains"))
    return Host(name=_hostname(c, f, "name"), roles=roles, domains=domains,
                submission=c.get(f, "submission", "bool", False), smtp_server=smtp_server,
                user=_address(c, f, "user"), shared=_address(c, f, "shared"),
                max_message_size=c.get(f, "max_message_size", "octets"),
                backup_for=_backup_for(c, f, roles, domains),
                pages=build_pages(c, f, roles),
                imap_server=imap_server, files=_files(c, f, roles),
                sender_auth=c.get(f, "sender_auth", "bool", False),
                dkim_selector=_selector(c, f),
                open_relay_until=_open_relay(c, f),
                forwards=_forwards(c, f), **_extensions(c, f))


def _selector(c: Checker, f: dict) -> str | None:
    """``dkim_selector: s1``: the DKIM selector (RFC 6376 §3.1), one DNS label."""
    return c.matching(f["dkim_selector"][1], "dkim_selector", SELECTOR, "selector") \
        if "dkim_selector" in f else None


def _open_relay(c: Checker, f: dict) -> float | None:
    """``open_relay: true`` (for ever) or ``open_relay: {until: 60}`` (fixed at t = 60)."""
    if "open_relay" not in f:
        return None
    node = f["open_relay"][1]
    if isinstance(node, MappingNode):
        return c.get(c.mapping(node, "open_relay", "open_relay", ("until",), ("until",)),
                     "until", "number")
    return math.inf if c.value(node, "open_relay", "bool") else None


def _forwards(c: Checker, f: dict) -> tuple[tuple[str, str], ...]:
    """``forward: {bob@b.test: bob@c.test}``: local mailboxes whose mail goes on elsewhere."""
    if "forward" not in f:
        return ()
    fields = c.mapping(f["forward"][1], "forward", "forward", None)
    return tuple((c.matching(key_node, "forward", ADDRESS, "address"),
                  c.matching(value_node, "forward", ADDRESS, "address"))
                 for key_node, value_node in fields.values())


def _files(c: Checker, f: dict, roles: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    """``files: {/pub/readme.txt: "text", /pub/logo.bin: {size: 300}}``: what an FTP host
    serves.  A text is stored as UTF-8 with its LF line ends (as on a Unix server); ``size``
    makes a binary file of that many octets (0, 1, …, 255, 0, …: every byte value)."""
    if "files" not in f:
        return ()
    key_node, node = f["files"]
    if "ftp" not in roles:
        c.fail(key_node, "needs_role", key="files", role="ftp", roles=", ".join(roles))
    found = []
    for path, (_, value) in c.mapping(node, "files", "files", None).items():
        if not path.startswith("/") or "\0" in path or "/../" in path + "/":
            c.fail(value, "file_path", key="files", got=f"'{path}'")
        if isinstance(value, ScalarNode):
            found.append((path, c.value(value, path, "text").encode("utf-8")))
        else:
            size = c.get(c.mapping(value, path, path, ("size",), ("size",)), "size", "octets")
            found.append((path, bytes(i % 256 for i in range(size))))
    return tuple(found)


def _backup_for(c: Checker, f: dict, roles: tuple[str, ...],
                domains: tuple[str, ...]) -> tuple[str, ...]:
    """Domains this MTA is a secondary MX for (RFC 5321 §5.1): it queues their mail and
    forwards it to a more preferred MX, so it must relay and must not be final for them."""
    if "backup_for" not in f:
        return ()
    key_node, node = f["backup_for"]
    if "mta" not in roles:
        c.fail(key_node, "needs_role", key="backup_for", role="mta", roles=", ".join(roles))
    backup = tuple(c.matching(n, "backup_for", HOSTNAME, "domain")
                   for n in c.items(node, "backup_for", scalar_ok=True))
    if not backup:
        c.fail(node, "empty_list", key="backup_for")
    for item, domain in zip(c.items(node, "backup_for", scalar_ok=True), backup):
        if domain.lower().rstrip(".") in (d.lower().rstrip(".") for d in domains):
            c.fail(item, "backup_and_final", key="backup_for", got=f"'{domain}'")
    return backup


def _extensions(c: Checker, f: dict) -> dict[str, tuple[str, ...]]:
    """``extensions: {PIPELINING: false, CHUNKING: true, …}``: the EHLO keywords this host
    turns off, and those it turns on (CHUNKING and BINARYMIME are off unless turned on).

    Names are EHLO keywords in any case; an unknown one is a typo worth naming,
    because it would otherwise turn nothing off.
    """
    chosen: dict[bool, list[str]] = {False: [], True: []}
    if "extensions" in f:
        fields = c.mapping(f["extensions"][1], "extensions", "extensions", None)
        for written, (key_node, value_node) in fields.items():
            name = written.strip().upper()
            if name not in SMTP_EXTENSIONS:
                c.fail(key_node, "unknown_extension", key="extensions", got=f"'{written}'",
                       hint=c.hint(name, SMTP_EXTENSIONS), allowed=", ".join(SMTP_EXTENSIONS))
            chosen[bool(c.value(value_node, name, "bool"))].append(name)
    return {"extensions_off": tuple(sorted(chosen[False])),
            "extensions_on": tuple(sorted(chosen[True]))}


def _hostname(c: Checker, f: dict, key: str) -> str | None:
    return c.matching(f[key][1], key, HOSTNAME, "hostname") if key in f else None


def _address(c: Checker, f: dict, key: str) -> str | None:
    return c.matching(f[key][1], key, ADDRESS, "address") if key in f else None


def _user(c: Checker, node: Node, number: int) -> User:
    f = c.mapping(node, "users", f"users #{number}", USER_KEYS, required=("address",))
    return User(address=_address(c, f, "address"), password=c.get(f, "password", "text", ""),
                name=c.get(f, "name", "text", ""), quota=c.get(f, "quota", "octets"))


def _fault(c: Checker, node: Node, number: int, refs: HostRefs) -> Fault:
    where = f"faults #{number}"
    # The kind decides which other keys are allowed, so read it first and
    # then check the keys: 'peer' on a node_down is a mistake worth naming.
    kind_node = c.mapping(node, "faults", where, None, required=("kind",))["kind"][1]
    kind = c.choice(kind_node, "kind", FAULT_KINDS)
    required, optional = FAULT_FIELDS[kind]
    f = c.mapping(node, "faults", f"{where} (kind: {kind})",
                  ("kind", "start", "end", *required, *optional), required)
    fields = {key: _fault_field(c, f, key, refs) for key in (*required, *optional) if key in f}
    if kind == "reply" and ("command" in f) == ("after" in f):
        # One moment to answer at: a command, or the final dot of the message (after: DATA).
        c.fail(node, "fault_moment", key="command", where=where)
    if "recipient" in f and fields.get("command") not in (None, "RCPT"):
        # Before RCPT the server does not know the recipient yet (RFC 5321 §3.3).
        c.fail(f["recipient"][0], "fault_recipient", key="recipient", got=fields["command"])
    start, end = c.get(f, "start", "number", 0.0), c.get(f, "end", "number")
    if end is not None and end <= start:
        c.fail(f["end"][1], "end_before_start", got=end, start=start)
    return Fault(kind=kind, start=start, end=end, **fields)


def _fault_field(c: Checker, f: dict, key: str, refs: HostRefs) -> object:
    node = f[key][1]
    if key in ("node", "peer"):
        name = _hostname(c, f, key)
        refs.add(node, key, name)
        return name
    if key == "name":
        return _hostname(c, f, key)
    if key == "rcode":
        return c.choice(node, key, RCODES)
    if key == "times":
        return c.value(node, key, "positive_int")
    if key == "reply":
        return c.matching(node, key, _REPLY, "reply")
    if key == "after":
        return c.choice(node, key, ("DATA",))
    if key == "client":
        name = _hostname(c, f, key)
        refs.add(node, key, name)
        return name.lower()
    if key == "recipient":
        return c.matching(node, key, ADDRESS, "address").lower()
    if key == "explain":
        texts = _description(c, node)
        for lang in LANGUAGES:          # the trace is replayed in either language
            if lang not in texts:
                c.fail(node, "missing", key=lang, where="explain")
        return tuple(sorted(texts.items()))
    return smtp_verb(c, node, key)


def smtp_verb(c: Checker, node: Node, key: str) -> str:
    """A fault's ``command``: an SMTP verb the server knows, in any case (a typo such
    as RCTP would make a fault that never fires)."""
    from simulator.protocols.smtp.states import COMMANDS
    verb = c.value(node, key, "text").strip().upper()
    if verb not in COMMANDS:
        c.fail(node, "unknown_command", key=key, got=c.show(node), protocol="SMTP",
               hint=c.hint(verb, COMMANDS), allowed=", ".join(COMMANDS))
    return verb


def _link(c: Checker, node: Node, refs: HostRefs) -> tuple[str, str]:
    ends = c.items(node, "links")
    if len(ends) != 2:
        c.fail(node, "link", got=c.show(node))
    names = tuple(c.matching(n, "links", HOSTNAME, "hostname") for n in ends)
    for end_node, name in zip(ends, names):
        refs.add(end_node, "links", name)
    return names


def _options(c: Checker, node: Node) -> Options:
    f = c.mapping(node, "options", "options", OPTION_KEYS)
    default = Options()
    return Options(
        source_routes=(c.choice(f["source_routes"][1], "source_routes", SOURCE_ROUTE_MODES)
                       if "source_routes" in f else default.source_routes),
        latency=c.get(f, "latency", "number", default.latency),
        retry_schedule=(tuple(c.value(n, "retry_schedule", "positive")
                              for n in c.items(f["retry_schedule"][1], "retry_schedule"))
                        if "retry_schedule" in f else default.retry_schedule),
        start_time=_start_time(c, f["start_time"][1]) if "start_time" in f else default.start_time,
        pipelining=c.get(f, "pipelining", "bool", default.pipelining))


def _start_time(c: Checker, node: Node) -> datetime:
    """ISO 8601; YAML may already have made it a datetime or a date.  Naive means UTC."""
    value = c.scalar(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    if not isinstance(value, datetime):
        c.fail(node, "start_time", key="start_time", got=c.show(node))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
