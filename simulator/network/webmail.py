"""Webmail: a mail client that runs on the server, and a browser is its screen.

A host with the role ``webmail`` listens on 80 and answers a browser over
HTTP.  Behind each request it is a mail client itself: to show the inbox
it logs in to ``imap_server`` over IMAP and fetches the header fields
(``BODY.PEEK``, nothing becomes \\Seen); to show a message it fetches
``BODY[]`` (now it is \\Seen); to send it composes the message and submits
it to ``smtp_server`` on 587 with STARTTLS and AUTH (RFC 6409), with the
password the user typed at the login, then files a copy in Sent (IMAP APPEND).
So one click in the browser is an HTTP exchange *and* an IMAP or SMTP
session, all in one trace.

The browser keeps only a session cookie (``sid``, HttpOnly, SameSite=Strict,
RFC 6265 §4.1); the address and password stay in the webmail's session
table.  Each request opens its own IMAP connection, as simple webmails do.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..mail import mime
from ..protocols.http import PORT as HTTP_PORT
from ..protocols.http import HTTPServer, Request, Response
from ..protocols.imap import PORT as IMAP_PORT
from ..protocols.imap.client import IMAPClient
from ..protocols.imap.client_script import ScriptStep, command
from ..protocols.smtp import Envelope, Path, SMTPClient
from ..scenarios.model import Host
from . import webmail_pages as pages
from .context import NodeContext
from .service import Service
from .web import HTTPConnection, http_config

SUBMISSION_PORT = 587
_MESSAGE = re.compile(r"^/message/([1-9][0-9]{0,9})$")
#: The header fields the inbox list shows (RFC 3501 §6.4.5: PEEK sets no \Seen).
LIST_FETCH = "FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])"


@dataclass(frozen=True)
class Login:
    """Who a session cookie stands for."""

    address: str
    password: str


class WebmailService(Service):
    """The webmail of one host: its session table, and a site per HTTP connection."""

    driver = HTTPConnection

    def __init__(self, net: NodeContext, host: Host, *,
                 token: Callable[[], str] | None = None) -> None:
        """``token``: makes session ids; by default from the run's seeded random source
        (a simulation must repeat itself), ``mailsim serve`` passes ``secrets``."""
        self.net = net
        self.name = host.name.lower()
        self.imap_server = (host.imap_server or self.name).lower()
        self.smtp_server = (host.smtp_server or self.imap_server).lower()
        self.sessions: dict[str, Login] = {}
        self.token = token or (lambda: f"{net.rng.getrandbits(96):024x}")
        self._sites: dict[str, WebmailSite] = {}

    def ports(self) -> tuple[int, ...]:
        return (HTTP_PORT,)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> HTTPServer:
        site = WebmailSite(self)
        engine = HTTPServer(http_config(self.net, self.name), site,
                            session_id=f"{self.name}/{conn_id}")
        site.engine = engine
        self._sites[engine.session_id] = site
        return engine

    def attach(self, conn: HTTPConnection) -> None:
        """A late answer goes out through the connection that asked."""
        self.wake_with(conn.server_engine, lambda: self.net.scheduler.after(0.0, conn.flush))

    def attach_live(self, engine: HTTPServer, driver) -> None:
        """``mailsim serve``: the socket driver writes a late answer (its ``pushed``)."""
        self.wake_with(engine, driver.pushed)

    def wake_with(self, engine: HTTPServer, wake: Callable[[], None]) -> None:
        site = self._sites.pop(engine.session_id, None)
        if site is not None:
            site.wake = wake


class WebmailSite:
    """The webmail's answers on one HTTP connection (see :class:`~..protocols.http.Site`)."""

    def __init__(self, service: WebmailService) -> None:
        self.service = service
        self.net = service.net
        self.engine: HTTPServer | None = None
        self.wake: Callable[[], None] = lambda: None

    def respond(self, request: Request) -> Response | None:
        login = self.service.sessions.get(request.cookies().get("sid", ""))
        path, method = request.path, request.method
        if path == "/login" and method == "POST":
            return self._login(request.form())
        if path == "/" and method in ("GET", "HEAD"):
            return pages.redirect("/inbox") if login else pages.login_page(self.service.name)
        if login is None:
            return pages.redirect("/")
        if path == "/logout" and method == "POST":
            self.service.sessions.pop(request.cookies()["sid"], None)
            return pages.redirect("/", ("Set-Cookie", "sid=; Path=/; Max-Age=0"))
        if path == "/inbox" and method in ("GET", "HEAD"):
            return self._inbox(login, "sent=1" in request.target)
        if (found := _MESSAGE.match(path)) and method in ("GET", "HEAD"):
            return self._message(login, int(found.group(1)))
        if path == "/compose" and method in ("GET", "HEAD"):
            return pages.compose_page(login.address)
        if path == "/send" and method == "POST":
            return self._send(login, request.form())
        return pages.not_found(login.address, f"{method} {path}")

    # -- IMAP behind the page ----------------------------------------------------
    def _imap(self, login: Login, steps: list[ScriptStep],
              done: Callable[[IMAPClient], Response]) -> None:
        """Log in to the IMAP server as the user, run ``steps``, answer from the result."""
        client = IMAPClient(login.address, login.password, steps)
        self.net.connect(self.service.name, self.service.imap_server, IMAP_PORT, "IMAP", client,
                         on_close=lambda conn: self._answer(done(client)),
                         connect_explain="webmail.connect.imap")

    def _login(self, form: dict[str, str]) -> None:
        login = Login(form.get("user", "").strip(), form.get("password", ""))

        def done(client: IMAPClient) -> Response:
            if not client.result.logged_in:
                return pages.login_page(self.service.name, "Wrong e-mail address or password.")
            sid = self.service.token()
            account = self.net.store.find(login.address)     # "student" → its address
            self.service.sessions[sid] = Login(account.address if account else login.address,
                                               login.password)
            return pages.redirect("/inbox", ("Set-Cookie",
                                             f"sid={sid}; Path=/; HttpOnly; SameSite=Strict"))
        self._imap(login, [], done)

    def _inbox(self, login: Login, sent: bool) -> None:
        steps = [ScriptStep((command("SELECT INBOX"),)),
                 ScriptStep((command(LIST_FETCH),), needs_messages=True)]

        def done(client: IMAPClient) -> Response:
            box = client.last_mailbox
            rows = [pages.header_row(m.uid or 0, m.header, m.size or 0, m.flags)
                    for m in (box.messages if box else [])]
            return pages.inbox_page(login.address, rows[::-1],
                                    "Message sent." if sent else "")
        self._imap(login, steps, done)

    def _message(self, login: Login, uid: int) -> None:
        steps = [ScriptStep((command("SELECT INBOX"),)),
                 ScriptStep((command(f"UID FETCH {uid} (FLAGS BODY[])"),))]

        def done(client: IMAPClient) -> Response:
            box = client.last_mailbox
            found = next((m for m in (box.messages if box else []) if m.uid == uid
                          and m.body is not None), None)
            if found is None:
                return pages.not_found(login.address, f"no message with UID {uid}")
            return pages.message_page(login.address, uid, found.body)
        self._imap(login, steps, done)

    # -- SMTP behind the send form (RFC 6409) ------------------------------------------
    def _send(self, login: Login, form: dict[str, str]) -> Response | None:
        to = [a.strip() for a in form.get("to", "").split(",") if a.strip()]
        if not to or not all(_looks_like_address(a) for a in to):
            return pages.compose_page(login.address, "Write one or more addresses: user@host.")
        account = self.net.store.find(login.address)
        content = mime.compose(login.address, to, form.get("subject", ""),
                               form.get("body", "").replace("\r\n", "\n"),
                               date=self.net.now_datetime(),
                               sender_name=account.name if account else "",
                               message_id=self.net.new_message_id(self.service.name),
                               transfer_encoding="8bit")    # readable in the trace, as the MUA
        envelope = Envelope(mail_from=Path(login.address), rcpt_to=[Path(a) for a in to],
                            content=content)
        client = SMTPClient(self.service.name, envelope,
                            credentials=(login.address, login.password), starttls=True,
                            pipelining=self.net.settings.pipelining)

        def done(conn) -> None:
            final = client.result.final
            if final is not None and final.is_positive:
                # As a mail program does: a copy in Sent, by IMAP APPEND (RFC 9051 §6.3.12).
                keep = [ScriptStep((command("APPEND Sent (\\Seen)", content),))]
                self._imap(login, keep, lambda _: pages.redirect("/inbox?sent=1"))
            else:
                reply = final or client.result.failure
                text = " ".join(reply.lines) if reply is not None else "no answer"
                self._answer(pages.compose_page(login.address, f"Not sent: {text}"))
        self.net.connect(self.service.name, self.service.smtp_server, SUBMISSION_PORT, "SMTP",
                         client, on_close=done, connect_explain="webmail.connect.smtp")
        return None

    def _answer(self, response: Response) -> None:
        if self.engine is not None and not self.engine.closed:
            self.engine.answer(response)
            self.wake()


def _looks_like_address(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and domain) and not any(c in text for c in " <>\r\n,;")
