"""A static web site: pages by path, redirects, a form that answers, conditional GET.

This is what a host with the role ``http`` serves (pages come from the
scenario file).  Each page has a media type (RFC 9110 §8.3), an entity tag
and a modification date (§8.8); a GET that carries ``If-None-Match`` with the
current tag — or, without it, ``If-Modified-Since`` not older than the page —
gets 304 and no body (§13.1.1, §13.1.3, §13.2.2).  A moved page answers 301
with ``Location`` (§15.4.2); a form page echoes the fields a POST sent
(``application/x-www-form-urlencoded``), escaped.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape

from .message import Request, Response
from .responses import HTML, error, page


@dataclass(frozen=True)
class Page:
    """One path of a site: a body of a media type, or a redirect, or a form target."""

    body: bytes = b""
    type: str = HTML
    redirect: str | None = None      # 301 to this target
    form: bool = False               # POST here echoes the fields
    chunked: bool = False            # sent without Content-Length, in chunks

    def etag(self) -> str:
        """A strong entity tag: a digest of the representation (RFC 9110 §8.8.3)."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class StaticSite:
    """The pages of one host, all modified at ``modified``."""

    def __init__(self, pages: Mapping[str, Page], modified: datetime) -> None:
        self.pages = dict(pages)
        self.modified = modified.replace(microsecond=0)

    def respond(self, request: Request) -> Response:
        found = self.pages.get(request.path)
        if found is None:
            return error(404, f"there is no page {request.path} on this server")
        if found.redirect is not None:
            body = f'<p>Moved to <a href="{escape(found.redirect)}">{escape(found.redirect)}</a></p>'
            return Response(301, (("Location", found.redirect), ("Content-Type", HTML)),
                            page("301 Moved Permanently", body))
        if request.method == "POST":
            return self._post(request, found)
        return self._get(request, found)

    def _get(self, request: Request, found: Page) -> Response:
        validators = (("ETag", found.etag()),
                      ("Last-Modified", format_datetime(self.modified, usegmt=True)))
        if not_modified(request, found.etag(), self.modified):
            return Response(304, validators)
        return Response(200, (("Content-Type", found.type), *validators), found.body,
                        chunked=found.chunked)

    def _post(self, request: Request, found: Page) -> Response:
        if not found.form:
            return error(405, f"{request.path} does not take a form", (("Allow", "GET, HEAD"),))
        rows = "\n".join(f"<li>{escape(k)} = {escape(v)}</li>" for k, v in request.form().items())
        body = page("Received", f"<h1>Received</h1>\n<ul>\n{rows}\n</ul>")
        return Response(200, (("Content-Type", HTML),), body,
                        params={"fields": ", ".join(request.form())})


def not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """Whether a GET/HEAD may be answered 304 (RFC 9110 §13.1.2, §13.1.3, §13.2.2).

    ``If-None-Match`` wins when present (weak comparison); ``If-Modified-Since``
    counts only without it, and a date that does not parse is ignored.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    tags = request.header("If-None-Match")
    if tags is not None:
        given = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in given or etag in given
    since = request.header("If-Modified-Since")
    if since is None:
        return False
    try:
        date = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if date.tzinfo is None:
        return False
    return modified <= date
