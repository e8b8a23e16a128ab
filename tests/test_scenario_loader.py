"""The scenario loader: the documented example loads, and every mistake a
teacher can make is reported with the file, the right line and what was
expected, in Russian and in English — never as a traceback."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulator.scenarios import (
    Fault,
    Host,
    Message,
    Options,
    Scenario,
    ScenarioError,
    User,
    builtin_names,
    load,
    load_builtin,
    load_file,
    load_text,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"
EXAMPLE = re.search(r"```yaml\n(.*?)```", DOCS.read_text("utf-8"), re.DOTALL).group(1)


def line_with(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def error_of(text: str, lang: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "my.yaml", lang)
    return info.value


# -- the documented example ---------------------------------------------------------


def test_docs_example_loads_into_the_model():
    s = load_text(EXAMPLE, "docs.yaml")
    assert isinstance(s, Scenario)
    assert (s.name, s.seed, s.source) == ("basic", 1, "docs.yaml")
    assert s.description["en"].startswith("alice@a.test writes")
    assert s.description["ru"].startswith("alice@a.test пишет")
    assert s.hosts[0] == Host(name="pc.a.test", roles=("mua",), user="alice@a.test",
                              smtp_server="mail.a.test")
    assert s.host("mail.a.test") == Host(name="mail.a.test", roles=("mta", "mda"),
                                         domains=("a.test",), submission=True)
    assert s.users[1] == User("bob@b.test", "bob-pw", "Bob")
    assert s.messages == (Message(at=0.0, client="pc.a.test", sender="alice@a.test",
                                  to=("bob@b.test",), subject="Привет, Bob",
                                  body="Hello Bob!\n"),)
    assert s.faults == () and s.links == ()
    assert s.options == Options(source_routes="ignore")


def test_zone_keeps_its_text_and_the_line_where_it_starts():
    s = load_text(EXAMPLE, "docs.yaml")
    a, b = s.zones
    assert a.origin == "a.test" and a.text.startswith("$TTL 3600\n@     IN SOA ns.a.test.")
    # The DNS module adds first_line to a zone-file line to point into the scenario file.
    assert a.first_line == line_with(EXAMPLE, "$TTL 3600")
    assert EXAMPLE.splitlines()[b.first_line - 1 + 3].strip().startswith("@     IN MX  10 mx.b.test.")
    assert a.source == "docs.yaml"


def test_inline_zone_starts_on_its_own_line():
    text = re.sub(r"zones:.*?\nhosts:", 'zones:\n  c.test: "@ IN A 192.0.2.1"\nhosts:', EXAMPLE,
                  flags=re.DOTALL)
    zone = load_text(text, "z.yaml").zones[0]
    assert zone.first_line == line_with(text, "c.test:")


def test_faults_links_and_options_load():
    text = EXAMPLE.replace("faults: []", """faults:
  - {kind: node_down, node: mx.b.test, start: 0, end: 120}
  - {kind: link_down, node: pc.a.test, peer: mail.a.test}
  - {kind: dns, name: b.test, rcode: NXDOMAIN}
  - {kind: reply, node: mx.b.test, command: rcpt, reply: "451 4.3.0 Try later", times: 2}
links:
  - [pc.a.test, mail.a.test]""").replace("  source_routes: ignore", """  source_routes: honour
  latency: 0.5
  retry_schedule: [60, 300]
  start_time: "2026-10-01T12:00:00+03:00"
  pipelining: false""")
    s = load_text(text)
    assert s.faults[0] == Fault("node_down", node="mx.b.test", start=0.0, end=120.0)
    assert s.faults[2] == Fault("dns", name="b.test", rcode="NXDOMAIN")
    assert s.faults[3].command == "RCPT" and s.faults[3].times == 2
    assert s.links == (("pc.a.test", "mail.a.test"),)
    assert s.options.source_routes == "honour" and s.options.retry_schedule == (60.0, 300.0)
    assert s.options.start_time == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert s.options.pipelining is False


def test_source_route_envelope_and_single_recipient_string():
    text = EXAMPLE.replace("    to: [bob@b.test]", """    to: bob@b.test
    charset: koi8-r
    mail_from: "<@h1.test,@h2.test:alice@a.test>"
    rcpt_to: ["<@h1.test:bob@b.test>"]""")
    m = load_text(text).messages[0]
    assert m.to == ("bob@b.test",) and m.charset == "koi8-r"
    assert m.mail_from == "<@h1.test,@h2.test:alice@a.test>"
    assert m.rcpt_to == ("<@h1.test:bob@b.test>",)


# -- mistakes: (how to break the example, the line's marker, words of the en / ru message)

MISTAKES = {
    "unknown key": (lambda x: x.replace("roles: [mua]", "rolse: [mua]"), "rolse",
                    "did you mean 'roles'", "может быть, 'roles'"),
    "wrong type": (lambda x: x.replace("- at: 0", "- at: soon"), "at: soon",
                   "'at' must be a non-negative number of seconds, got 'soon'",
                   "числом секунд, а указано 'soon'"),
    "unknown role": (lambda x: x.replace("roles: [mua]", "roles: [mailserver]"), "mailserver",
                     "'roles' must be a list of mua, mta, mda, pop3, pop2, imap, ",
                     "списком из mua, mta, mda, pop3, pop2, imap, "),
    "unknown host": (lambda x: x.replace("client: pc.a.test", "client: pc.x.test"), "pc.x.test",
                     "not declared in 'hosts' (did you mean 'pc.a.test'?)", "нет в 'hosts'"),
    "unknown smtp server": (lambda x: x.replace("smtp_server: mail.a.test",
                                                "smtp_server: mial.a.test"),
                            "mial.a.test", "declared hosts: pc.a.test", "объявленные узлы"),
    "bad fault kind": (lambda x: x.replace("faults: []", "faults:\n  - kind: explode"),
                       "explode", "one of node_down, link_down, dns, reply", "node_down"),
    "fault without its field": (
        lambda x: x.replace("faults: []", "faults:\n  - kind: link_down\n    node: mx.b.test"),
        "kind: link_down", "'peer' is missing", "нет обязательного ключа 'peer'"),
    "fault with a foreign field": (
        lambda x: x.replace("faults: []", "faults:\n  - kind: dns\n    name: b.test\n"
                            "    node: mx.b.test"),
        "    node: mx.b.test", "unknown key 'node'", "неизвестный ключ 'node'"),
    "bad charset": (lambda x: x.replace("    body: |", "    charset: latin-1\n    body: |"),
                    "latin-1", "one of utf-8, koi8-r, windows-1251", "utf-8, koi8-r, windows-1251"),
    "text not in charset": (
        lambda x: x.replace("    body: |", "    charset: koi8-r\n    body: |")
        .replace("Hello Bob!", "Hello ☃"), "charset: koi8-r", "cannot be written in 'koi8-r'",
        "нельзя записать в кодировке 'koi8-r'"),
    "missing required key": (lambda x: x.replace("    from: alice@a.test\n", ""), "- at: 0",
                             "the required key 'from' is missing", "нет обязательного ключа 'from'"),
    "bad address": (lambda x: x.replace("to: [bob@b.test]", "to: [bob]"), "to: [bob]",
                    "'bob' is not an e-mail address", "не адрес электронной почты"),
    "yaml syntax": (lambda x: x.replace("seed: 1", "seed: [1"), "zones:",
                    "YAML syntax error", "ошибка синтаксиса YAML"),
    "duplicate key": (lambda x: x + "seed: 2\n", "seed: 2", "appears twice (first on line 5)",
                      "встречается дважды (впервые — в строке 5)"),
    "bad start_time": (lambda x: x + "  start_time: yesterday\n", "yesterday", "ISO 8601",
                       "ISO 8601"),
    "negative retry": (lambda x: x + "  retry_schedule: [60, -5]\n", "retry_schedule",
                       "positive number of seconds, got -5", "положительным числом секунд"),
    "bad source route mode": (lambda x: x.replace("source_routes: ignore", "source_routes: obey"),
                              "obey", "one of ignore, honour", "ignore, honour"),
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_mistake_names_file_line_and_expectation(case, lang):
    breaker, marker, english, russian = MISTAKES[case]
    text = breaker(EXAMPLE)
    err = error_of(text, lang)
    word = "line" if lang == "en" else "строка"
    assert str(err).startswith(f"my.yaml, {word} {line_with(text, marker)}: "), str(err)
    assert (english if lang == "en" else russian) in str(err)
    assert err.source == "my.yaml" and err.line == line_with(text, marker)
    assert "\n" not in str(err) and "Traceback" not in str(err)


def test_error_carries_the_key_at_fault():
    err = error_of(EXAMPLE.replace("- at: 0", "- at: soon"), "en")
    assert err.key == "at"


def test_not_a_mapping_and_empty_text():
    assert "got a list" in str(error_of("- a\n- b\n", "en"))
    assert str(error_of("", "en")) == ("my.yaml: the file is empty; expected a scenario: "
                                       "a YAML mapping with name, hosts, …")
    assert str(error_of("# only a comment\n", "ru")).startswith("my.yaml: файл пуст")


# -- files ---------------------------------------------------------------------------------


def test_load_file_reads_a_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(EXAMPLE, "utf-8")
    assert load_file(path).source == str(path)
    assert load(str(path)).name == "basic"


@pytest.mark.parametrize("lang, words", [("en", "no such file"), ("ru", "файл не найден")])
def test_missing_file(tmp_path, lang, words):
    with pytest.raises(ScenarioError, match=words) as info:
        load_file(tmp_path / "nope.yaml", lang)
    assert str(info.value).startswith(str(tmp_path / "nope.yaml"))


def test_directory_empty_file_and_non_utf8(tmp_path):
    with pytest.raises(ScenarioError, match="directory"):
        load_file(tmp_path, "en")
    (tmp_path / "empty.yaml").write_bytes(b"")
    with pytest.raises(ScenarioError, match="empty"):
        load_file(tmp_path / "empty.yaml", "en")
    (tmp_path / "cp1251.yaml").write_bytes(b"name: x\nsubject: \xcf\xf0\xe8\xe2\xe5\xf2\n")
    with pytest.raises(ScenarioError, match=r"line 2: the file is not UTF-8 text \(byte 0xcf\)"):
        load_file(tmp_path / "cp1251.yaml", "en")


def test_load_unknown_name_lists_builtins():
    with pytest.raises(ScenarioError) as info:
        load("no-such-scenario", "en")
    assert "'no-such-scenario' is neither a file nor a built-in scenario" in str(info.value)
    for name in builtin_names():
        assert name in str(info.value)


def test_path_like_name_is_reported_as_missing_file():
    with pytest.raises(ScenarioError, match="файл не найден"):
        load("scenarios/missing.yaml", "ru")


def test_builtins_are_listed_and_load():
    names = builtin_names()
    assert names == sorted(names)
    for name in names:
        scenario = load_builtin(name)
        assert scenario.description.get("ru") and scenario.description.get("en")
        assert load(name) == scenario


def test_merge_keys_may_be_overridden_but_hand_written_twins_may_not():
    text = EXAMPLE.replace("""  - name: mx.b.test        # b.test's MX: receives on 25, delivers into mailboxes
    roles: [mta, mda]""", """  - <<: {roles: [mta, mda], submission: true}
    name: mx.b.test
    roles: [mta]""")
    host = load_text(text).host("mx.b.test")
    assert host.roles == ("mta",) and host.submission is True and host.domains == ("b.test",)
    twice = EXAMPLE.replace("    roles: [mua]", "    roles: [mua]\n    roles: [mta]")
    assert "appears twice" in str(error_of(twice, "en"))
