"""HTTP messages as plain data: what a request asked and what a response says.

h11 does the bytes (parsing and framing, RFC 9112); these frozen dataclasses
are what the simulator's sites, its browser and its trace talk about: the
method and target, header fields in their order (RFC 9110 §5), the body, and
the few meanings read from fields — a form (``application/x-www-form-urlencoded``,
the HTML form's encoding), cookies (RFC 6265), a media type (RFC 9110 §8.3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode

FORM_TYPE = "application/x-www-form-urlencoded"
#: Reason phrases RFC 9110 §15 renamed since older Pythons' ``http.HTTPStatus``.
_RENAMED = {413: "Content Too Large", 422: "Unprocessable Content"}

Fields = tuple[tuple[str, str], ...]


def _get(fields: Fields, name: str) -> str | None:
    """The first field named ``name`` (names are case-insensitive, RFC 9110 §5.1)."""
    low = name.lower()
    return next((value for key, value in fields if key.lower() == low), None)


@dataclass(frozen=True)
class Request:
    """One request: method, target, version, header fields and body."""

    method: str
    target: str
    headers: Fields = ()
    body: bytes = b""
    version: str = "1.1"

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    @property
    def path(self) -> str:
        """The target without its query (RFC 9112 §3.2.1, origin-form)."""
        return self.target.partition("?")[0] or "/"

    def form(self) -> dict[str, str]:
        """The fields of an HTML form sent as ``application/x-www-form-urlencoded``.

        Each name's last value wins; a body of another type is no form (empty).
        """
        if media_type(self.header("Content-Type")) != FORM_TYPE:
            return {}
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def cookies(self) -> dict[str, str]:
        """The ``Cookie`` field as name → value (RFC 6265 §5.4); a broken one gives {}."""
        jar = SimpleCookie()
        try:
            jar.load(self.header("Cookie") or "")
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass(frozen=True)
class Response:
    """One response: status, header fields and body.

    ``chunked``: send the body in chunks without ``Content-Length`` (RFC 9112
    §7.1), as a server does when it does not know the length in advance.
    """

    status: int
    headers: Fields = ()
    body: bytes = b""
    chunked: bool = False
    #: what the explanation of this response may show (e.g. the page asked for)
    params: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def reason(self) -> str:
        """The reason phrase (RFC 9110 §15; clients must ignore it, RFC 9112 §4)."""
        if self.status in _RENAMED:
            return _RENAMED[self.status]
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return ""

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    @property
    def status_class(self) -> str:
        """``2xx`` … ``5xx`` (RFC 9110 §15): what the first digit says."""
        return f"{self.status // 100}xx"


def media_type(value: str | None) -> str:
    """The ``type/subtype`` of a Content-Type value, lower case, without parameters
    (RFC 9110 §8.3.1); "" when absent."""
    if not value:
        return ""
    msg = Message()
    msg["Content-Type"] = value
    return msg.get_content_type() if "/" in value else ""


def encode_form(fields: dict[str, str] | tuple[tuple[str, str], ...]) -> bytes:
    """An HTML form's fields as ``application/x-www-form-urlencoded`` bytes (UTF-8)."""
    return urlencode(list(fields.items()) if isinstance(fields, dict) else list(fields)).encode()
