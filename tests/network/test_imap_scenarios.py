"""The seven IMAP built-in scenarios: dialogues, mailboxes, ordering, EXPUNGE timing, IDLE (issue 4)."""
import re

import pytest

from simulator.cli import main
from simulator.locale import explain
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

IMAP_SCENARIOS = ["imap-basic", "imap-folders", "imap-two-clients", "imap-pipelining",
                  "imap-ambiguity", "imap-idle", "imap-search"]


def dialogues(result):
    """{conn: [steps]} of every IMAP connection, with its client host as ``client``."""
    out = {}
    for conn in result.trace.connections():
        steps = [s for s in result.trace.filter(conn=conn) if s.protocol == "IMAP"]
        if steps:
            out[conn] = steps
    return out


def only(result):
    [steps] = dialogues(result).values()
    return steps


def of_client(result, host):
    return [steps for steps in dialogues(result).values() if steps[0].dst == host]


def lines(steps, direction=None):
    return [s.line for s in steps if direction in (None, s.direction)]


def completion(steps, tag):
    return next(s for s in steps if s.direction == "s2c" and s.line.startswith(tag + " "))


def inbox(result, address="bob@b.test", folder="INBOX"):
    box = result.store.find(address).folder(folder)
    return [(m.summary()["subject"], sorted(m.flags)) for m in box.messages]


# -- imap-basic: headers without bodies ---------------------------------------------------------

def test_basic_fetches_headers_and_sizes_but_no_body(run):
    steps = only(run("imap-basic"))
    assert lines(steps, "c2s") == ["A1 LOGIN bob@b.test bob-pw", 'A2 LIST "" "*"', "A3 SELECT INBOX",
                                   ("A4 FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                                    "(FROM SUBJECT DATE)])"), "A5 LOGOUT"]
    fetched = [s for s in steps if " FETCH (" in s.line and s.direction == "s2c"]
    assert len(fetched) == 3
    assert all("Subject:" in s.line and "Content-Type" not in s.line for s in fetched)
    assert sum(len(s.raw) for s in fetched) < 1000           # the 200 kB photo never moved
    assert "RFC822.SIZE 27" in fetched[2].line
    assert [flags for _, flags in inbox(run("imap-basic"))] == [[], [], []]   # PEEK: still unseen


# -- imap-folders ----------------------------------------------------------------------------------

def test_folders_create_rename_move_delete(run):
    result = run("imap-folders")
    steps = only(result)
    for tag in ("A3", "A4", "A5", "A8", "A9"):
        assert " OK " in completion(steps, tag).line
    lists = [s.line for s in steps if s.line.startswith("* LIST")]
    assert any(line.endswith(" Projects") for line in lists)
    assert not any(line.endswith((" Projects", " Temp")) for line in lists[-6:])
    assert inbox(result, folder="Archive") == [("Weekly report", [])]
    assert [s for s, _ in inbox(result)] == ["Lunch on Friday"]
    assert "* STATUS Archive (MESSAGES 1 UNSEEN 1)" in lines(steps)


# -- imap-two-clients: EXPUNGE only where allowed -----------------------------------------------

def test_two_clients_the_laptop_sees_flags_at_fetch_and_expunge_only_at_noop(run):
    result = run("imap-two-clients")
    [laptop] = of_client(result, "laptop.b.test")
    [phone] = of_client(result, "phone.b.test")
    assert "* 2 EXPUNGE" in lines(phone)
    after_pause = [s for s in laptop if s.time > 20]
    fetch_done = completion(after_pause, "A4")
    between = lines(after_pause)[:lines(after_pause).index(fetch_done.line)]
    assert "* 2 FETCH (FLAGS (\\Recent \\Deleted))" in between
    assert not any("EXPUNGE" in line for line in between)          # RFC 3501 §7.4.1
    assert "imap.data.EXPUNGE_held" in fetch_done.params["notes"]
    noop = lines(after_pause)
    assert noop[noop.index("A5 NOOP") + 1:noop.index("A5 NOOP") + 3] == ["* 2 EXPUNGE",
                                                                       "A5 OK NOOP completed"]
    assert inbox(result) == [("Weekly report", ["\\Seen"]), ("Minutes", [])]


# -- imap-pipelining and imap-ambiguity -----------------------------------------------------------

def tagged_order(steps, tags):
    return [s.line.split()[0] for s in steps
            if s.direction == "s2c" and s.line.split()[0] in tags]


def test_pipelining_a2_and_a3_complete_before_a1(run):
    steps = only(run("imap-pipelining"))
    sent = [s for s in steps if s.direction == "c2s" and s.line.split()[0] in ("A1", "A2", "A3")]
    assert len({s.time for s in sent}) == 1                        # one write
    assert tagged_order(steps, {"A1", "A2", "A3"}) == ["A2", "A3", "A1"]
    a2 = completion(steps, "A2")
    assert a2.params["overtook"] == "A1" and "imap.order.overtook" in a2.params["notes"]
    assert "обогнал A1" in explain(a2.explain, a2.params, "ru")
    assert "order_reason" not in completion(steps, "A1").params


def test_ambiguity_runs_in_order_and_says_why(run):
    steps = only(run("imap-ambiguity"))
    assert tagged_order(steps, {"A4", "A5"}) == ["A4", "A5"]
    search = completion(steps, "A5")
    assert search.params["order_reason"] == "imap.order.flags"
    assert "SEARCH UNSEEN" in explain(search.explain, search.params, "en")
    assert "* SEARCH 1 2" in lines(steps)                           # message 3 was just read
    copy = completion(steps, "A7")
    assert copy.params["order_reason"] == "imap.order.store_then_copy"
    assert tagged_order(steps, {"A6", "A7"}) == ["A6", "A7"]


# -- imap-idle ----------------------------------------------------------------------------------

def test_idle_gets_exists_pushed_at_the_delivery(run):
    result = run("imap-idle")
    steps = only(result)
    delivery = [s for s in result.trace if s.explain == "mda.deliver"][-1]
    plus = next(s for s in steps if s.line == "+ idling")
    done = next(s for s in steps if s.line == "DONE")
    pushed = next(s for s in steps if s.line == "* 2 EXISTS")
    assert plus.time < delivery.time == pushed.time < done.time
    assert result.trace.steps.index(delivery) < result.trace.steps.index(pushed)
    assert "Subject: Are you there?" in next(s.line for s in steps if s.line.startswith("* 2 FETCH"))


# -- imap-search ------------------------------------------------------------------------------------

def test_search_answers_each_question_with_numbers(run):
    steps = only(run("imap-search"))
    answers = dict(zip(lines(steps, "c2s")[3:12],
                       [s.line for s in steps if s.line.startswith("* SEARCH")], strict=False))
    assert answers == {
        "A4 SEARCH FROM carol": "* SEARCH 2 4 5",
        "A5 SEARCH SUBJECT lunch": "* SEARCH 2 5",
        "A6 SEARCH UNSEEN": "* SEARCH 2 3 4 5",
        "A7 SEARCH SINCE 2-Sep-2026": "* SEARCH 3 4 5",
        "A8 SEARCH LARGER 10000": "* SEARCH 4",
        "A9 SEARCH OR FROM alice LARGER 10000": "* SEARCH 1 3 4",
        "A10 SEARCH NOT FROM carol": "* SEARCH 1 3",
        "A11 SEARCH UNSEEN FROM carol SINCE 2-Sep-2026": "* SEARCH 4 5",
    }


# -- every scenario: determinism, schema, replay, summary -------------------------------------------


@pytest.mark.parametrize("name", IMAP_SCENARIOS)
def test_descriptions_in_both_languages_and_every_session_ends_with_a_summary(name, run):
    scenario = load(name)
    assert set(scenario.description) == {"ru", "en"} and name in builtin_names()
    assert re.search("[а-яА-Я]", scenario.description["ru"])
    summaries = [s for s in run(name).trace if s.explain == "imap.client.done"]
    assert len(summaries) == len(scenario.sessions)


def test_replay_shows_the_pipeline_in_russian(capsys):
    assert main(["replay", "imap-pipelining", "--all", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "C: A1 FETCH 3 BODY[]" in out and "S: A2 OK NOOP completed" in out
    assert "обогнал A1" in out


def test_imap_append_saves_the_sent_copy_after_the_continuation():
    """imap-append: line with {n}, then "+", then the octets, then APPENDUID (RFC 3501 §7.5)."""
    result = simulate(load("imap-append"))
    [steps] = of_client(result, "pc.b.test")
    announce = next(i for i, s in enumerate(steps) if s.line.startswith("A2 APPEND Sent (\\Seen) {"))
    plus, octets, done = steps[announce + 1:announce + 4]
    assert steps[announce].direction == "c2s" and steps[announce].line.endswith("}")
    assert plus.direction == "s2c" and plus.line.startswith("+ ")
    assert octets.direction == "c2s" and octets.raw.startswith(b"From: Alice <alice@b.test>\r\n")
    assert re.match(r"A2 OK \[APPENDUID \d+ 1\] APPEND completed", done.line)
    size = int(steps[announce].line.rsplit("{", 1)[1].rstrip("}"))
    assert len(octets.raw) == size + 2                                  # the literal and its CRLF
    assert inbox(result, "alice@b.test", "Sent") == [("Minutes of the meeting", ["\\Seen"])]
    assert inbox(result)[0][0] == "Minutes of the meeting"              # Bob got the original
    for lang in ("ru", "en"):
        assert "+" in explain("imap.cmd.literal_announced", {"size": size}, lang)
