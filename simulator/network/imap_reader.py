"""The IMAP side of a mail client's reading sessions (see :mod:`.reader`).

A scenario's IMAP session becomes an :class:`~simulator.protocols.imap.client.IMAPClient`
script.  Without ``commands`` the client does what a mail program does when
it opens a mailbox: list the folders, select INBOX and fetch what the
message list shows — envelope headers, size and flags — without
downloading a single body (``BODY.PEEK``, RFC 3501 §6.4.5), so nothing is
marked \\Seen.  An empty INBOX (``* 0 EXISTS``) is not fetched at all: ``1:*``
would name no message, and the server would answer BAD (RFC 9051 §9).
"""
from __future__ import annotations

from ..protocols.imap.client import IMAPClient
from ..protocols.imap.client_script import ClientCommand, ScriptStep, command
from .refusal import refusal_params

#: What a mail program asks when it opens a mailbox (the message list).
PLAN = ('LIST "" "*"', "SELECT INBOX",
        "FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")


def imap_client(session, password: str, sent_copy: bytes | None = None) -> IMAPClient:
    """The client engine for one scenario session; ``sent_copy`` is the message an
    ``append_sent`` step stores (None: nothing was sent, the step is left out)."""
    steps = [_step(s, sent_copy) for s in session.steps
             if not s.sent_copy or sent_copy is not None] if session.commands is not None \
        else [ScriptStep((command(line),), needs_messages=line.startswith("FETCH"))
              for line in PLAN]
    steps = _fold_pauses(steps, session.pause)
    return IMAPClient(session.user, password, steps, retries=session.retries)


def _step(step, sent_copy: bytes | None) -> ScriptStep:
    """A scenario step; an APPEND's message is its one command's literal (sent after "+")."""
    literal = sent_copy if step.sent_copy else step.literal
    return ScriptStep(tuple(command(line, literal) for line in step.commands), step.idle,
                      step.pause)


def _fold_pauses(steps: list[ScriptStep], pause: float) -> list[ScriptStep]:
    """A trailing pause (and the session's own ``pause``) is reading before LOGOUT."""
    if steps and not steps[-1].commands:
        pause += steps.pop().pause
    if steps and steps[-1].commands[-1].name == "LOGOUT":
        last = steps.pop()
        return [*steps, ScriptStep(last.commands, last.idle, last.pause + pause)]
    return [*steps, ScriptStep((ClientCommand("LOGOUT"),), pause=pause)]


def imap_summary(engine: IMAPClient) -> tuple[str, str, dict]:
    """(explain key, line, params) of what the session achieved."""
    r = engine.result
    if not r.logged_in:
        refusal = next((c.text for c in r.completions if c.name in ("LOGIN", "AUTHENTICATE")), "")
        return ("imap.client.refused", f"login refused: {refusal}",
                refusal_params(refusal, r.attempts, r.unsent))
    box = engine.last_mailbox
    params = {"commands": len(r.sent), "mailbox": box.name if box else "—",
              "exists": box.exists if box else 0, "unseen": box.unseen() if box else 0,
              "pushed": len(r.pushed)}
    line = (f"{params['commands']} commands; {params['mailbox']}: {params['exists']} messages, "
            f"{params['unseen']} unseen")
    return "imap.client.done", line, params
