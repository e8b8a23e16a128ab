"""messages[] keys of issue 18, each through a scenario file: a per-message password,
extra headers, In-Reply-To/References, the transfer and header encodings, and
append_sent, which files the very message that was sent."""
import base64
from pathlib import Path

import pytest

from simulator.mail.mime import parse
from simulator.network import simulate
from simulator.scenarios import ScenarioError, load_file, load_text

THREAD = Path(__file__).parent / "fixtures" / "labs" / "thread.yaml"


def text(**swaps):
    out = THREAD.read_text("utf-8")
    for old, new in swaps.values():
        assert old in out
        out = out.replace(old, new, 1)
    return out


def refused(yaml_text, lang="en"):
    with pytest.raises(ScenarioError) as info:
        load_text(yaml_text, source="lab.yaml", lang=lang)
    return str(info.value)


def stored(result, address, folder="INBOX"):
    return [m.data for m in result.store.account(address).folder(folder).messages]


def submitted(result, conn):
    """The message bytes a client sent after DATA on connection ``conn``."""
    steps = result.trace.filter(conn=conn, protocol="SMTP")
    data = next(i for i, s in enumerate(steps) if s.line.startswith("DATA"))
    return next(s for s in steps[data + 1:] if s.direction == "c2s").raw


@pytest.fixture(scope="module")
def thread():
    return simulate(load_file(THREAD))


def test_a_reply_carries_in_reply_to_references_and_extra_headers(thread):
    [reply] = stored(thread, "alice@b.test")
    msg = parse(reply)
    assert msg["Message-ID"] == "<lab1.answer@b.test>"
    assert msg["In-Reply-To"] == "<lab1.question@b.test>"
    # RFC 5322 §3.6.4: the parent had no References, so the reply's is the parent's id.
    assert msg["References"] == "<lab1.question@b.test>"
    assert msg["X-Course"] == "Сети, лаба 1" and msg["Reply-To"] == "teacher@b.test"


def test_references_grow_along_the_thread():
    third = """  - at: 25
    client: pc.b.test
    from: alice@b.test
    to: [bob@b.test]
    in_reply_to: <lab1.answer@b.test>
    subject: "Re: Re: Вопрос"
    body: "Спасибо!\\n"
sessions:"""
    scenario = load_text(text(s=("sessions:", third)), source="lab.yaml")
    assert scenario.messages[2].references == ("<lab1.question@b.test>", "<lab1.answer@b.test>")


def test_the_encodings_are_the_ones_asked_for(thread):
    [reply] = stored(thread, "alice@b.test")
    head = reply.split(b"\r\n\r\n")[0].decode()
    assert "Subject: =?utf-8?q?Re=3A_=D0=92" in head                     # RFC 2047 Q
    assert "X-Course: =?utf-8?q?" in head
    assert "Content-Transfer-Encoding: quoted-printable" in head
    assert parse(reply).get_content() == "В пятницу.\r\n"
    [question] = stored(thread, "bob@b.test")
    assert "Content-Transfer-Encoding: 8bit" in question.decode()       # the client's default
    b64 = simulate(load_text(text(q=("header_encoding: Q", "header_encoding: b"),
                                  t=("quoted-printable", "base64")), source="lab.yaml"))
    [reply] = stored(b64, "alice@b.test")
    assert b"Subject: =?utf-8?b?" in reply and b"Content-Transfer-Encoding: base64" in reply
    body = reply.split(b"\r\n\r\n", 1)[1]
    assert base64.b64decode(body).decode() == "В пятницу.\r\n"


def test_append_sent_stores_the_very_message_that_was_sent(thread):
    [copy] = stored(thread, "bob@b.test", "Sent")
    sent = submitted(thread, "c2")
    assert copy == sent.removesuffix(b".\r\n")
    assert parse(copy)["Message-ID"] == "<lab1.answer@b.test>"
    assert parse(copy)["Date"] == parse(stored(thread, "alice@b.test")[0])["Date"]
    append = thread.trace.find(command="APPEND")
    assert append.command.line == f"A2 APPEND Sent (\\Seen) {{{len(copy)}}}"
    assert append.reply.code == "OK"
    assert thread.store.account("bob@b.test").folder("Sent").messages[0].flags == {"\\Seen"}


def test_a_wrong_per_message_password_gets_535_and_the_trace_shows_it():
    wrong = text(p=("    message_id: <lab1.answer@b.test>",
                    "    message_id: <lab1.answer@b.test>\n    password: bob-typo"))
    result = simulate(load_text(wrong, source="lab.yaml"))
    auth = result.trace.find(command="AUTH", conn="c2")
    assert auth.reply.line == "535 5.7.8 Authentication credentials invalid"
    token = auth.command.line.split()[-1]
    assert base64.b64decode(token) == b"\0bob@b.test\0bob-typo"
    assert stored(result, "alice@b.test") == []
    # Nothing went out, so there is nothing to copy to Sent, and the trace says so.
    assert stored(result, "bob@b.test", "Sent") == []
    note = next(s for s in result.trace if s.explain == "mua.no_sent_copy")
    assert "nothing" in note.explanation("en") and "нечего" in note.explanation("ru")


def test_a_list_of_passwords_is_a_second_try_after_535():
    retry = text(p=("    message_id: <lab1.answer@b.test>",
                    "    message_id: <lab1.answer@b.test>\n    password: [bob-typo, bob-pw]"))
    result = simulate(load_text(retry, source="lab.yaml"))
    codes = [x.reply.code for x in result.trace.exchanges(command="AUTH", conn="c2")]
    assert codes == [535, 235]
    assert len(stored(result, "alice@b.test")) == 1


@pytest.mark.parametrize("old, new, words", [
    ("transfer_encoding: quoted-printable", "transfer_encoding: 7bit", ("7bit", "ASCII")),
    ("transfer_encoding: quoted-printable", "transfer_encoding: 9bit",
     ("7bit, 8bit, quoted-printable, base64",)),
    ("header_encoding: Q", "header_encoding: X", ("B, Q",)),
    ("Reply-To: teacher@b.test", "Subject: hi", ("'Subject'", "'subject'")),
    ("in_reply_to: <lab1.question@b.test>", "in_reply_to: lab1.question", ("message id",)),
    ("message_id: <lab1.answer@b.test>", "message_id: <lab1.question@b.test>", ("already",)),
    ("      - append_sent: true", "      - append_sent: false", ("only be true",)),
])
def test_mistakes_in_the_new_keys_name_their_line(old, new, words):
    bad = text(x=(old, new))
    line = max(n for n, row in enumerate(bad.splitlines(), 1) if new.strip() in row)
    message = refused(bad)
    assert message.startswith(f"lab.yaml, line {line}:"), message
    assert all(w in message for w in words), message
    assert refused(bad, "ru").startswith(f"lab.yaml, строка {line}:")


def test_append_sent_needs_a_message_sent_before_the_session():
    late = text(a=("  - at: 30\n    client: laptop", "  - at: 10\n    client: laptop"))
    message = refused(late)
    assert "line" in message and "laptop.b.test" in message and "bob@b.test" in message
    assert "нечего" in refused(late, "ru")


def test_the_builtin_imap_append_copies_the_sent_message_itself():
    """Issue 18: the copy in Sent had another Message-ID and an earlier Date."""
    from simulator.scenarios import load
    result = simulate(load("imap-append"))
    [copy] = stored(result, "alice@b.test", "Sent")
    [original] = stored(result, "bob@b.test")
    for header in ("Message-ID", "Date"):
        assert parse(copy)[header] == parse(original)[header]
    assert original.endswith(copy) and b"\r\nReceived: " in original[:-len(copy)]
