"""The web parts of a scenario (``docs/scenarios.md``): a host's ``pages`` and ``visits``.

A host with the role ``http`` serves ``pages`` (path → body, or a mapping with
``body``, ``type``, ``redirect``, ``form``, ``chunked``).  A visit sends a
browser's requests to a host with the role ``http`` or ``webmail``; each
request is a line such as ``GET /index.html``, a mapping with ``method``,
``target``, ``form`` (sent as an HTML form) and ``chunked``, or ``raw``: bytes
sent exactly as written, for a request a browser would never make (the
textbook's HTTP/1.1 request without ``Host``).
"""
from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from simulator.scenarios.loader_nodes import HOSTNAME, Checker, HostRefs
from simulator.scenarios.model import Host, Visit, VisitStep, WebPage

PAGE_KEYS = ("body", "type", "redirect", "form", "chunked")
VISIT_KEYS = ("at", "client", "server", "requests", "keep_alive", "pipeline")
REQUEST_KEYS = ("method", "target", "form", "chunked", "raw")
#: A method is a token (RFC 9110 §9.1); a target is an origin-form path (RFC 9112 §3.2.1).
_METHOD = re.compile(r"^[A-Z]+$")
_TARGET = re.compile(r"^/[!-~]*$")
#: Roles a browser can visit.
WEB_ROLES = ("http", "webmail")


def build_pages(c: Checker, f: dict, roles: tuple[str, ...]) -> tuple[WebPage, ...]:
    """``pages:`` of a host with the role http: path → body or {body, type, …}."""
    if "pages" not in f:
        return ()
    key_node, node = f["pages"]
    if "http" not in roles:
        c.fail(key_node, "needs_role", key="pages", role="http", roles=", ".join(roles))
    pages = []
    for path, (path_node, value) in c.mapping(node, "pages", "pages", None).items():
        if not _TARGET.match(path):
            c.fail(path_node, "http_target", key="pages", got=f"'{path}'")
        if isinstance(value, ScalarNode):
            pages.append(WebPage(path, body=c.value(value, path, "text")))
            continue
        p = c.mapping(value, path, f"pages {path}", PAGE_KEYS)
        redirect = c.get(p, "redirect", "text")
        if redirect is not None and not _TARGET.match(redirect):
            c.fail(p["redirect"][1], "http_target", key="redirect", got=c.show(p["redirect"][1]))
        pages.append(WebPage(path, body=c.get(p, "body", "text", ""),
                             type=c.get(p, "type", "text", WebPage.type), redirect=redirect,
                             form=c.get(p, "form", "bool", False),
                             chunked=c.get(p, "chunked", "bool", False)))
    return tuple(pages)


def build_visit(c: Checker, node: Node, number: int, refs: HostRefs,
                hosts: tuple[Host, ...]) -> Visit:
    """One item of ``visits``, checked against the hosts' roles."""
    f = c.mapping(node, "visits", f"visits #{number}", VISIT_KEYS,
                  required=("client", "server", "requests"))
    client = _host(c, f, "client", ("browser",), refs, hosts)
    server = _host(c, f, "server", WEB_ROLES, refs, hosts)
    items = c.listed(f, "requests")
    if not items:
        c.fail(f["requests"][1], "empty_list", key="requests")
    return Visit(at=c.get(f, "at", "number", 0.0), client=client, server=server,
                 steps=tuple(_step(c, item) for item in items),
                 keep_alive=c.get(f, "keep_alive", "bool", True),
                 pipeline=c.get(f, "pipeline", "bool", False))


def _step(c: Checker, item: Node) -> VisitStep:
    if isinstance(item, ScalarNode):
        return _line(c, item, c.value(item, "requests", "text"))
    if not isinstance(item, MappingNode):
        c.fail(item, "http_request", key="requests", got=c.show(item))
    f = c.mapping(item, "requests", "requests", REQUEST_KEYS)
    if "raw" in f:
        if len(f) > 1:
            c.fail(item, "http_request", key="requests", got=c.show(item))
        raw = c.get(f, "raw", "text")
        return VisitStep(method=(raw.split() or ["GET"])[0], raw=raw)
    method = c.get(f, "method", "text", "GET")
    target = c.get(f, "target", "text", "/")
    if not _METHOD.match(method) or not _TARGET.match(target):
        c.fail(item, "http_request", key="requests", got=c.show(item))
    form = None
    if "form" in f:
        fields = c.mapping(f["form"][1], "form", "form", None)
        form = tuple((name, str(c.scalar(v))) for name, (_, v) in fields.items())
    return VisitStep(method, target, form, chunked=c.get(f, "chunked", "bool", False))


def _line(c: Checker, item: Node, line: str) -> VisitStep:
    """``GET /path``: a method and a target."""
    parts = line.split()
    if len(parts) != 2 or not _METHOD.match(parts[0]) or not _TARGET.match(parts[1]):
        c.fail(item, "http_request", key="requests", got=c.show(item))
    return VisitStep(parts[0], parts[1])


def _host(c: Checker, f: dict, key: str, roles: tuple[str, ...], refs: HostRefs,
          hosts: tuple[Host, ...]) -> str:
    node = f[key][1]
    name = c.matching(node, key, HOSTNAME, "hostname")
    refs.add(node, key, name)
    host = next((h for h in hosts if h.name == name), None)
    if host is not None and not set(roles) & set(host.roles):
        c.fail(node, "session_role", key=key, got=f"'{name}'", roles=", ".join(host.roles),
               role=" / ".join(roles))
    return name
