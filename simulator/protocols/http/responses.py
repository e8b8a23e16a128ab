"""The status codes the simulator's servers answer with, and their explanations.

Every response a site or the engine makes has one of these codes; its
explanation is ``http.response.<code>`` in the locale files, and every
response step also carries the note of its class, ``http.class.<N>xx``
(RFC 9110 §15: the first digit says what kind of answer it is).
"""
from __future__ import annotations

from html import escape

from .message import Fields, Response

#: status code -> the RFC 9110 section that defines it
CODES: dict[int, str] = {
    200: "15.3.1",   # OK
    301: "15.4.2",   # Moved Permanently
    303: "15.4.4",   # See Other: after a POST, GET the result (the webmail)
    304: "15.4.5",   # Not Modified: a conditional GET, the cached copy is still good
    400: "15.5.1",   # Bad Request
    404: "15.5.5",   # Not Found
    405: "15.5.6",   # Method Not Allowed
    413: "15.5.14",  # Content Too Large
    501: "15.6.2",   # Not Implemented
}

HTML = "text/html; charset=utf-8"


def explain_key(status: int) -> str:
    return f"http.response.{status}"


def class_note(status: int) -> str:
    return f"http.class.{status // 100}xx"


def page(title: str, body_html: str) -> bytes:
    """A minimal HTML document; ``title`` is escaped here, ``body_html`` must be already."""
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(title)}"
            f"</title></head>\n<body>\n{body_html}\n</body></html>\n").encode()


def error(status: int, text: str, headers: Fields = ()) -> Response:
    """A small HTML page that says what went wrong (``text`` is escaped)."""
    reason = Response(status).reason
    body = page(f"{status} {reason}", f"<h1>{status} {escape(reason)}</h1>\n<p>{escape(text)}</p>")
    return Response(status, (("Content-Type", HTML), *headers), body, params={"error": text})
