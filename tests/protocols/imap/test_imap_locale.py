"""Every explanation key the IMAP engine uses has ru and en texts."""
from __future__ import annotations

import re
from pathlib import Path

from imap_kit import World, say

from simulator import locale
from simulator.protocols.imap import states as S
from simulator.protocols.imap.responses import CATALOGUE, CONTINUATIONS


def test_commands_states_and_replies_are_explained():
    keys = [f"imap.cmd.{name}" for name in S.ALL_COMMANDS]
    keys += [f"imap.state.{state}" for state in S.STATES]
    keys += [f"imap.reply.{name}" for name in CATALOGUE]
    keys += [f"imap.cont.{name}" for name in CONTINUATIONS]
    for lang in locale.LANGUAGES:
        missing = [k for k in keys if not locale.has(k, lang)]
        assert missing == [], lang


def test_every_key_in_a_busy_transcript_is_explained():
    world = World(messages=3)
    a, b = world.session(select="INBOX"), world.session(select="INBOX")
    for line in ("A1 FETCH 1:* (FLAGS ENVELOPE BODY.PEEK[HEADER])", "A2 STORE 1 +FLAGS \\Deleted",
                 "A3 EXPUNGE", "A4 SEARCH ALL", 'A5 LIST "" *', "A6 STATUS INBOX (MESSAGES)",
                 "A7 NAMESPACE", "A8 COPY 1 Trash", "A9 MOVE 1 Trash", "A0 FROB",
                 "B* NOOP", "A1 IDLE", "DONE", "A2 ENABLE IMAP4rev2", "A3 LOGOUT"):
        say(a, line)
    say(b, "B1 NOOP")
    used = {u.explain for s in (a, b) for u in s.take_transcript()}
    assert {"imap.cmd.FETCH", "imap.data.EXPUNGE", "imap.cmd.bad_tag"} <= used
    for lang in locale.LANGUAGES:
        assert sorted(k for k in used if not locale.has(k, lang)) == [], lang


def test_order_reasons_are_explained():
    source = Path(S.__file__).with_name("pipeline.py").read_text(encoding="utf-8")
    for key in set(re.findall(r'"(imap\.order\.\w+)"', source)):
        assert locale.has(key, "ru") and locale.has(key, "en"), key
