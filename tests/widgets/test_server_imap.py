"""IMAP (and POP2) in the server-side view: what each session has been told, step by step."""
import re

from simulator.trace import Trace
from simulator.widgets import html
from simulator.widgets.server_imap import ImapSession, fold, split_command
from simulator.widgets.server_view import server_views


def _first(trace, conn, line_start, after=0):
    return next(s.index for s in trace if s.conn == conn and s.index >= after
                and s.line.startswith(line_start))


def _conns(trace):
    """(laptop, phone) connection ids of imap-two-clients, found from the trace."""
    imap = {s.conn: s.dst for s in trace if s.protocol == "IMAP" and s.direction == "s2c"}
    laptop = next(c for c, node in imap.items() if node.startswith("laptop"))
    phone = next(c for c, node in imap.items() if node.startswith("phone"))
    return laptop, phone


def test_laptop_view_shrinks_only_when_it_is_told_the_expunge(run):
    trace = run("imap-two-clients").trace
    views = server_views(trace)
    laptop, phone = _conns(trace)
    phone_expunge = _first(trace, phone, "* 2 EXPUNGE")
    laptop_expunge = _first(trace, laptop, "* 2 EXPUNGE")
    assert phone_expunge < laptop_expunge
    # the phone's own view shrank at once …
    assert views[phone_expunge - 1].imap[phone].exists == 3
    assert views[phone_expunge].imap[phone].exists == 2
    # … while the laptop still counts 3 (RFC 3501 §7.4.1: no EXPUNGE during FETCH)
    for i in range(phone_expunge, laptop_expunge):
        assert views[i].imap[laptop].exists == 3, i
    before, after = views[laptop_expunge - 1].imap[laptop], views[laptop_expunge].imap[laptop]
    assert [m.uid for m in before.messages] == [1, 2, 3]
    assert after.exists == 2 and [(m.number, m.uid) for m in after.messages] == [(1, 1), (2, 3)]
    # the mailbox itself lost one message once, when the phone expunged
    assert views[phone_expunge].mailboxes["bob@b.test/INBOX"] == 2
    assert views[laptop_expunge].mailboxes["bob@b.test/INBOX"] == 2


def test_flags_as_told_and_the_selected_mailbox(run):
    trace = run("imap-two-clients").trace
    views = server_views(trace)
    laptop, phone = _conns(trace)
    select_ok = _first(trace, laptop, "A2 OK")
    session = views[select_ok].imap[laptop]
    assert (session.user, session.mailbox, session.mode) == ("bob@b.test", "INBOX", "READ-WRITE")
    assert session.uidvalidity and session.exists == 3
    assert views[select_ok - 1].imap[laptop].mailbox is None      # not confirmed yet
    stored = _first(trace, phone, "* 2 FETCH (FLAGS")
    assert views[stored].imap[phone].messages[-1].flags == ("\\Deleted",)
    refetch = _first(trace, laptop, "* 2 FETCH (FLAGS", after=stored)
    assert "\\Deleted" not in (views[refetch - 1].imap[laptop].messages[1].flags or ())
    assert views[refetch].imap[laptop].messages[1].flags == ("\\Recent", "\\Deleted")
    assert views[-1].imap[laptop].closed and views[-1].imap[phone].closed


def test_stepping_back_shows_the_earlier_view_in_the_panel(run):
    from simulator.widgets import TracePlayer
    trace = run("imap-two-clients").trace
    laptop, _ = _conns(trace)
    expunge = _first(trace, laptop, "* 2 EXPUNGE")
    player = TracePlayer(trace, lang="en")
    player.show(trace[expunge].number)
    assert f"data-conn='{laptop}' data-exists='2'" in player.details.value
    player.buttons["back"].click()
    assert f"data-conn='{laptop}' data-exists='3'" in player.details.value
    assert "EXISTS 3" in player.details.value


def test_panel_text_in_both_languages(run):
    trace = run("imap-two-clients").trace
    views = server_views(trace)
    laptop, _ = _conns(trace)
    i = _first(trace, laptop, "A3 OK")
    en, ru = html.server_state(views[i], "en"), html.server_state(views[i], "ru")
    assert "INBOX selected (READ-WRITE), EXISTS 3" in en and "message 1 (UID 1): \\Recent" in en
    assert "выбрана папка INBOX" in ru and "письмо 1 (UID 1)" in ru


def test_move_and_folders_counts(run):
    views = server_views(run("imap-folders").trace)
    assert views[-1].mailboxes["bob@b.test/Archive"] == 1


def test_fold_on_hand_made_lines():
    def step(direction, line):
        trace = Trace()
        return trace.add(time=0.0, conn="c1", src="a", dst="b", protocol="IMAP",
                         direction=direction, raw=line.encode(), line=line)
    s = ImapSession()
    for direction, line in [("c2s", 'a1 LOGIN "bob" pw'), ("s2c", "a1 OK done"),
                            ("c2s", 'a2 EXAMINE "Sent Items"'), ("s2c", "* 4 EXISTS"),
                            ("s2c", "* OK [UIDVALIDITY 9] ok"),
                            ("s2c", "a2 OK [READ-ONLY] EXAMINE completed"),
                            ("s2c", "* 3 FETCH (FLAGS (\\Seen) UID 30)"),
                            ("s2c", "* 4 FETCH (UID 40 FLAGS ())"), ("s2c", "* 1 EXPUNGE")]:
        s = fold(s, step(direction, line))
    assert (s.user, s.mailbox, s.mode, s.uidvalidity, s.exists) == \
        ("bob", "Sent Items", "READ-ONLY", 9, 3)
    assert [(m.number, m.uid, m.flags) for m in s.messages] == [(2, 30, ("\\Seen",)),
                                                                 (3, 40, ())]
    s = fold(fold(s, step("c2s", "a3 CLOSE")), step("s2c", "a3 OK CLOSE completed"))
    assert s.mailbox is None and s.messages == () and s.commands == ()
    assert split_command("A1 uid fetch 1:* FLAGS") == ("A1", "UID FETCH", "1:* FLAGS")


def test_pop2_ackd_marks_then_sign_off_deletes(run):
    trace = run("pop2-vs-pop3").trace
    views = server_views(trace)
    pop2 = next(s.conn for s in trace if s.protocol == "POP2")
    ackd = next(s.index for s in trace if s.conn == pop2 and s.line == "ACKD")
    assert views[ackd - 1].pop3[pop2].deleted == ()
    assert views[ackd].pop3[pop2].deleted == (2,) and views[ackd].pop3[pop2].protocol == "POP2"
    text = re.sub("<[^>]+>", " ", html.server_state(views[ackd], "en"))
    assert f"POP2 {pop2}: bob@b.test, 2 messages, marked deleted: 2" in text
    signoff = next(s.index for s in trace if s.conn == pop2 and s.explain == "pop2.reply.signoff")
    assert views[signoff].pop3[pop2].closed
    assert views[signoff].mailboxes["bob@b.test/INBOX"] == views[signoff - 1].mailboxes[
        "bob@b.test/INBOX"] - 1
