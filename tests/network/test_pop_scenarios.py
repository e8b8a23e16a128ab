"""The six POP built-in scenarios: dialogues, mailboxes, the lock, UIDL memory (issue 3)."""
import hashlib
import re
from itertools import pairwise

import pytest

from simulator.cli import main
from simulator.locale import explain
from simulator.network import Network, simulate
from simulator.scenarios import builtin_names, load

POP_SCENARIOS = ["pop3-basic", "pop3-dele-rset", "pop3-apop", "pop3-lock", "pop3-leave-copy",
                 "pop2-vs-pop3"]


# -- reading a trace the way a student reads the replay --------------------------------------

def sessions(result, protocol="POP3"):
    """[(conn, client host, [(direction, line)])] of every connection speaking ``protocol``."""
    out = []
    for conn in result.trace.connections():
        steps = [s for s in result.trace.filter(conn=conn) if s.protocol == protocol]
        if steps:
            client = next(s.dst for s in steps if s.direction == "s2c")
            out.append((conn, client, [(s.direction, s.line) for s in steps]))
    return out


def commands(dialogue):
    return [line for direction, line in dialogue if direction == "c2s"]


def replies(dialogue):
    """Each reply's first line (a multi-line reply is one step)."""
    return [line.splitlines()[0] for direction, line in dialogue if direction == "s2c"]


def reply_to(dialogue, command):
    """The first line of the reply that follows ``command`` (its first occurrence)."""
    for (d1, line), (d2, answer) in pairwise(dialogue):
        if d1 == "c2s" and line == command and d2 == "s2c":
            return answer.splitlines()[0]
    raise AssertionError(f"{command!r} not in the dialogue")


def outcomes(result, client):
    """The MUA's own summary steps ("downloaded …") of one client host, in order."""
    return [s for s in result.trace
            if s.src == client and s.protocol == "MUA" and s.explain.startswith("pop.session.")
            and not s.explain.startswith("pop.session.start")]


def inbox_subjects(result, address="bob@b.test"):
    return [m.summary()["subject"] for m in result.store.find(address).inbox.messages]


# -- pop3-basic: the RFC 1939 §10 example ------------------------------------------------------

def test_basic_replays_the_rfc_1939_example_and_quit_empties_the_maildrop(run):
    result = run("pop3-basic")
    [(_, client, dialogue)] = sessions(result)
    assert client == "laptop.b.test"
    assert commands(dialogue) == ["USER bob@b.test", "PASS bob-pw", "STAT", "LIST", "RETR 1",
                                  "DELE 1", "RETR 2", "DELE 2", "QUIT"]
    assert reply_to(dialogue, "DELE 2") == "+OK message 2 deleted"
    assert replies(dialogue)[-1] == "+OK mail.b.test POP3 server signing off (maildrop empty)"
    assert inbox_subjects(result) == []


def test_basic_stat_and_list_count_exactly_what_retr_delivers(run):
    """RFC 1939 §11: sizes are octets with CRLF, before the dots are stuffed."""
    [(_, _, dialogue)] = sessions(run("pop3-basic"))
    listing = next(line for d, line in dialogue if d == "s2c" and line.startswith("+OK 2 messages"))
    sizes = [int(row.split()[1]) for row in listing.splitlines()[1:-1]]
    assert reply_to(dialogue, "STAT") == f"+OK 2 {sum(sizes)}"
    for number, size in enumerate(sizes, start=1):
        assert reply_to(dialogue, f"RETR {number}") == f"+OK {size} octets"


def test_basic_deletes_nothing_before_quit():
    """DELE only marks (RFC 1939 §6): just before QUIT both messages are still stored."""
    net = Network(load("pop3-basic"), seed=1)
    net.start()
    quit_step = next(s for s in simulate(load("pop3-basic")).trace if s.line == "QUIT"
                     and s.protocol == "POP3")
    net.scheduler.run(until=quit_step.time - 0.001)
    assert len(net.store.find("bob@b.test").inbox.messages) == 2
    assert any(s.line == "DELE 2" for s in net.trace)
    net.scheduler.run()
    assert net.store.find("bob@b.test").inbox.messages == []


# -- pop3-dele-rset -------------------------------------------------------------------------

def test_dele_rset_second_dele_is_refused_rset_unmarks_and_nothing_is_deleted(run):
    result = run("pop3-dele-rset")
    [(_, _, dialogue)] = sessions(result)
    assert commands(dialogue)[2:] == ["LIST", "DELE 1", "DELE 1", "LIST", "RSET", "QUIT"]
    assert replies(dialogue)[4:7] == ["+OK message 1 deleted", "-ERR message 1 already deleted",
                                      "+OK 1 message (561 octets)"]
    marked_listing = [line for d, line in dialogue if d == "s2c" and line.startswith("+OK 1 ")]
    assert marked_listing[0].splitlines()[1:] == ["2 561", "."]
    assert reply_to(dialogue, "RSET").startswith("+OK maildrop has 2 messages")
    assert replies(dialogue)[-1] == "+OK mail.b.test POP3 server signing off (2 messages left)"
    assert inbox_subjects(result) == ["Отчёт за неделю", "Обед в пятницу"]


# -- pop3-apop ------------------------------------------------------------------------------

def test_apop_sends_md5_of_the_greeting_timestamp_and_the_secret_never_the_password(run):
    result = run("pop3-apop")
    [(_, _, dialogue)] = sessions(result)
    timestamp = re.search(r"<\d+\.\d+@mail\.b\.test>", replies(dialogue)[0]).group(0)
    digest = hashlib.md5((timestamp + "bob-pw").encode()).hexdigest()
    assert commands(dialogue) == [f"APOP bob@b.test {digest}", "STAT", "RETR 1", "QUIT"]
    assert not any("bob-pw" in line for line in commands(dialogue))
    assert replies(dialogue)[1].startswith("+OK bob@b.test's maildrop has 2 messages")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_apop_explanation_shows_the_digest_computation(run, lang):
    step = next(s for s in run("pop3-apop").trace if s.line.startswith("APOP"))
    text = explain(step.explain, step.params, lang)
    assert step.params["timestamp"] in text and step.params["digest"] in text
    assert f"{step.params['timestamp']}bob-pw" in text and "MD5" in text


def test_apop_timestamps_differ_per_connection_and_follow_the_simulated_clock(run):
    result = run("pop3-lock")
    stamps = [re.search(r"<(\d+)\.(\d+)@", replies(d)[0]).groups() for _, _, d in sessions(result)]
    assert len({pid for pid, _ in stamps}) == len(stamps)
    start = int(load("pop3-lock").options.start_time.timestamp())
    assert [int(clock) - start for _, clock in stamps] == [10, 20, 60]


# -- pop3-lock ------------------------------------------------------------------------------

def test_lock_second_client_gets_in_use_while_the_first_is_in_transaction(run):
    result = run("pop3-lock")
    laptop, phone_refused, phone_later = sessions(result)
    assert [s[1] for s in (laptop, phone_refused, phone_later)] == [
        "laptop.b.test", "phone.b.test", "phone.b.test"]
    refusal = reply_to(phone_refused[2], "PASS bob-pw")
    assert refusal.startswith("-ERR [IN-USE]")
    steps = result.trace
    login = next(s for s in steps.filter(conn=laptop[0]) if s.line.startswith("+OK bob@b.test's"))
    laptop_quit = next(s for s in steps.filter(conn=laptop[0]) if s.line == "QUIT")
    refused_at = next(s for s in steps if s.line == refusal).time
    assert login.time < refused_at < laptop_quit.time
    assert outcomes(result, "phone.b.test")[0].explain == "pop.session.refused"


def test_lock_first_quit_deletes_what_it_marked_and_frees_the_maildrop(run):
    result = run("pop3-lock")
    laptop, _, phone_later = sessions(result)
    assert replies(laptop[2])[-1].endswith("(1 message left)")
    assert reply_to(phone_later[2], "PASS bob-pw").startswith(
        "+OK bob@b.test's maildrop has 1 message")
    assert inbox_subjects(result) == ["Обед в пятницу"]
    assert result.store.locked_by("bob@b.test") is None


# -- pop3-leave-copy ------------------------------------------------------------------------

def downloads(result, client):
    """UIDL ids fetched by each session of ``client``, session by session."""
    out = []
    for conn, host, dialogue in sessions(result):
        if host != client:
            continue
        listing = next((line for d, line in dialogue if d == "s2c"
                        and line.startswith("+OK unique-id")), "")
        uid = dict(row.split() for row in listing.splitlines()[1:-1])
        out.append([uid[c.split()[1]] for c in commands(dialogue) if c.startswith("RETR")])
    return out


def test_leave_copy_phone_downloads_only_what_is_new_and_never_twice(run):
    result = run("pop3-leave-copy")
    phone = downloads(result, "phone.b.test")
    assert [len(d) for d in phone] == [2, 1, 0]
    fetched = [uid for session in phone for uid in session]
    assert len(fetched) == len(set(fetched))
    assert [s.explain for s in outcomes(result, "phone.b.test")] == ["pop.session.kept"] * 3
    assert outcomes(result, "phone.b.test")[1].params["skipped"] == 2


def test_leave_copy_laptop_deletes_and_then_the_phone_sees_fewer(run):
    result = run("pop3-leave-copy")
    [laptop] = downloads(result, "laptop.b.test")
    assert len(laptop) == 3
    [summary] = outcomes(result, "laptop.b.test")
    assert summary.explain == "pop.session.deleted" and summary.params["deleted"] == 3
    phone_logins = [reply_to(d, "PASS bob-pw") for _, host, d in sessions(result)
                    if host == "phone.b.test"]
    counts = [int(re.search(r"has (\d+) messages", line).group(1)) for line in phone_logins]
    assert counts == [2, 3, 0]
    assert inbox_subjects(result) == []


# -- pop2-vs-pop3 -----------------------------------------------------------------------------

def test_pop2_then_pop3_on_the_same_mailbox(run):
    result = run("pop2-vs-pop3")
    [(_, _, pop2)] = sessions(result, "POP2")
    [(_, _, pop3)] = sessions(result, "POP3")
    assert commands(pop2) == ["HELO bob@b.test bob-pw", "READ", "RETR", "ACKS", "RETR", "ACKD",
                              "QUIT"]
    assert [r[0] for r in replies(pop2)] == ["+", "#", "=", "R", "=", "R", "=", "+"]
    assert reply_to(pop2, "ACKD").startswith("=0")
    # ACKS kept message 1, ACKD deleted message 2: POP3 sees one message.
    assert reply_to(pop3, "STAT") == "+OK 1 580"
    assert inbox_subjects(result) == []


def test_pop2_sends_exactly_the_announced_octets_without_a_final_dot(run):
    result = run("pop2-vs-pop3")
    steps = [s for s in result.trace if s.protocol == "POP2" and s.explain == "pop2.reply.text"]
    sizes = [s for s in result.trace if s.protocol == "POP2" and s.explain == "pop2.reply.size"]
    assert [len(s.raw) for s in steps] == [int(s.line[1:].split()[0]) for s in sizes]
    assert not any(s.raw.endswith(b"\r\n.\r\n") for s in steps)
    pop3_text = next(s for s in result.trace if s.protocol == "POP3" and s.line.startswith("+OK 580"))
    assert pop3_text.raw.endswith(b"\r\n.\r\n")
    ports = [s.meta["port"] for s in result.trace if s.protocol in ("POP2", "POP3")]
    assert ports[0] == 109 and ports[-1] == 110


# -- a broken connection ------------------------------------------------------------------------

DROP_THEN_LOGIN = [
    {"at": 10, "client": "laptop.b.test", "protocol": "pop3", "server": "mail.b.test",
     "user": "bob", "commands": ["RETR 1", "DELE 1", "DELE 2"], "drop": True, "pause": 5},
    {"at": 30, "client": "laptop.b.test", "protocol": "pop3", "server": "mail.b.test",
     "user": "bob", "commands": ["STAT"]},
]


def test_a_dropped_session_deletes_nothing_and_releases_the_lock(variant):
    result = simulate(variant("pop3-basic", sessions=DROP_THEN_LOGIN))
    dropped, later = sessions(result)
    assert "QUIT" not in commands(dropped[2])
    event = next(s for s in result.trace if s.explain == "pop3.event.dropped")
    assert event.params["marked"] == 2 and event.time == pytest.approx(15.2, abs=0.1)
    assert reply_to(later[2], "STAT").startswith("+OK 2 ")
    assert len(inbox_subjects(result)) == 2
    assert [s.explain for s in outcomes(result, "laptop.b.test")] == [
        "pop.session.dropped", "pop.session.script"]


def test_stls_runs_the_handshake_before_the_password(variant):
    session = dict(DROP_THEN_LOGIN[1], stls=True)
    result = simulate(variant("pop3-basic", sessions=[session]))
    [(conn, _, dialogue)] = sessions(result)
    assert commands(dialogue)[:2] == ["STLS", "USER bob"]
    handshake = next(s for s in result.trace.filter(conn=conn) if s.protocol == "TLS")
    password = next(s for s in result.trace.filter(conn=conn) if s.line.startswith("PASS"))
    assert handshake.index < password.index and password.meta.get("tls") is True


# -- every scenario: determinism, schema, replay ------------------------------------------------


@pytest.mark.parametrize("name", POP_SCENARIOS)
def test_descriptions_in_both_languages(name):
    scenario = load(name)
    assert set(scenario.description) == {"ru", "en"}
    assert re.search("[а-яА-Я]", scenario.description["ru"])
    assert name in builtin_names()


@pytest.mark.parametrize(("name", "lang", "expected"), [
    ("pop3-basic", "ru", "DELE n только помечает"),
    ("pop3-basic", "en", "DELE n only marks"),
    ("pop2-vs-pop3", "ru", "ACKD"),
    ("pop2-vs-pop3", "en", "ACKS means"),
])
def test_replay_shows_pop_lines_with_explanations(capsys, name, lang, expected):
    assert main(["replay", name, "--all", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert "C: RETR" in out and "S: +OK" in out and expected in out
