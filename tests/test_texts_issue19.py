"""Issue 19, items 1–32: each corrected fact, section number and wording stays corrected.

The wording tests read the texts as a student sees them (``locale.t``); the
behaviour tests run the engine, the console or the CLI where the engine was
wrong (item 1), the picture (28), the pipelined trace (29), the console of
``basic`` (30), the ``classroom`` replay (31) and POP2's size reply (32).
"""
import pytest

from simulator import locale
from simulator.locale import t

# (item, key, lang, must contain, must not contain)
WORDING = [
    (1, "smtp.reply.utf8_not_allowed_mail", "en",
     ["550, 5.6.7", "RFC 6531 §3.5", "553 is the code for the same problem in RCPT TO"],
     ["553, 5.6.7"]),
    (1, "smtp.reply.utf8_not_allowed_mail", "ru",
     ["550, 5.6.7", "RFC 6531 §3.5", "553 — для той же ошибки в RCPT TO"],
     ["553, 5.6.7"]),
    (2, "smtp.route.honour", "en",
     ["its own name", "removes that name", "next host of the route"],
     ["first host of the route"]),
    (2, "smtp.route.honour", "ru",
     ["собственного имени", "следующему узлу маршрута"],
     ["первому узлу маршрута"]),
    (3, "mta.reply.route_not_me", "en",
     ["should begin", "names the next SMTP server"],
     ["must start"]),
    (3, "mta.reply.route_not_me", "ru",
     ["следует (should)", "называет следующий SMTP-сервер"],
     ["должен начинаться"]),
    (4, "smtp.data.empty", "en", ["RFC 2920 §3.1", "503 or 554", "RFC 5321 §3.3"], ["prescribes"]),
    (4, "smtp.data.empty", "ru",
     ["RFC 2920 §3.1", "503 или 554", "RFC 5321 §3.3"],
     ["предписывает"]),
    (5, "pop3.cmd.LAST", "en",
     ["RFC 1725 dropped the command and added UIDL"],
     ["RFC 1939 dropped"]),
    (5, "pop3.cmd.LAST", "ru", ["Команду убрал RFC 1725", "UIDL"], ["В RFC 1939 команду убрали"]),
    (6, "imap.reply.bye_literal_too_big", "en",
     ["read and discard the octets", "BAD or NO", "RFC 7888 §4"],
     ["the only way out"]),
    (6, "imap.reply.bye_literal_too_big", "ru",
     ["прочитать и выбросить октеты", "BAD или NO"],
     ["остаётся закрыть"]),
    (7, "pop3.cmd.APOP", "en",
     ["any hash function", "about collisions", "RFC 6151"],
     ["MD5 no longer protects"]),
    (7, "pop3.cmd.APOP", "ru",
     ["любой хеш-функцией", "коллизий", "RFC 6151"],
     ["MD5 больше не защищает"]),
    (8, "dns.query.AAAA", "en", ["RFC 5321 §5.2", "leaves to the MTA", "its own choice"], []),
    (8, "dns.query.AAAA", "ru", ["RFC 5321 §5.2", "на усмотрение MTA", "собственный выбор"], []),
    (9, "pop3.reply.login_ok", "en", ["RFC 1939 §4"], ["§8"]),
    (9, "pop3.reply.login_ok", "ru", ["RFC 1939 §4"], ["§8"]),
    (10, "pop3.reply.in_use", "en", ["RFC 2449 §8.1.2", "RFC 1939 §4"], ["§8.1.1", "1939 §8"]),
    (10, "pop3.reply.in_use", "ru", ["RFC 2449 §8.1.2", "RFC 1939 §4"], ["§8.1.1", "1939 §8"]),
    (11, "pop3.reply.plaintext_disabled", "en", ["RFC 2449 §6.2", "RFC 2595 §2.3"], ["§6.5"]),
    (11, "pop3.reply.plaintext_disabled", "ru", ["RFC 2449 §6.2", "RFC 2595 §2.3"], ["§6.5"]),
    (12, "imap.client.connect", "en", ["RFC 9051 §2.1"], ["RFC 9051 §1)"]),
    (12, "imap.client.connect", "ru", ["RFC 9051 §2.1"], ["RFC 9051 §1)"]),
    (13, "serve.reply.encryption_required", "en",
     ["RFC 4954 §6", "historical", "RFC 4954 §4", "504"],
     []),
    (13, "serve.reply.encryption_required", "ru",
     ["RFC 4954 §6", "исторический", "RFC 4954 §4", "504"],
     []),
    (14, "imap.reply.expunge_issued", "en",
     ["RFC 2180 §4.2.1", "§4.2.2", "§4.2.3", "RFC 5530"],
     []),
    (14, "imap.reply.expunge_issued", "ru",
     ["RFC 2180 §4.2.1", "§4.2.2", "§4.2.3", "RFC 5530"],
     []),
    (15, "imap.data.RECENT", "en",
     ["read-write", "not defined", "RFC 3501 §2.3.2"],
     ["Exactly one session"]),
    (15, "imap.data.RECENT", "ru",
     ["read-write", "не определено", "RFC 3501 §2.3.2"],
     ["ровно один сеанс"]),
    (16, "smtp.cmd.STARTTLS", "en",
     ["must discard", "should send EHLO again", "RFC 3207 §4.2"],
     ["must send EHLO"]),
    (16, "smtp.cmd.STARTTLS", "ru",
     ["обязан отбросить", "следует (should) снова отправить EHLO"],
     ["обязан снова отправить"]),
    (16, "pop3.reply.stls_ok", "en",
     ["must forget", "should ask CAPA again", "RFC 2595 §4"],
     ["must ask CAPA"]),
    (16, "pop3.reply.stls_ok", "ru",
     ["обязан забыть", "следует (should) спросить CAPA"],
     ["должен заново"]),
    (17, "imap.concept.untagged", "en",
     ["except while answering FETCH, STORE or SEARCH", "RFC 9051 §7.5.1"],
     ["in answer to any command"]),
    (17, "imap.concept.untagged", "ru",
     ["кроме ответов на FETCH, STORE и SEARCH", "RFC 9051 §7.5.1"],
     ["в ответ на любую команду"]),
    (18, "imap.reply.copyuid_untagged", "en",
     ["could carry it too", "RFC 6851 §4.3"],
     ["can no longer carry"]),
    (18, "imap.reply.copyuid_untagged", "ru", ["мог бы нести", "RFC 6851 §4.3"], ["уже не может"]),
    (19, "mail.mime.encoded_word", "en",
     ["resembles quoted-printable", "stands for a space", "RFC 2047 §4.2"],
     ["?Q?quoted-printable?="]),
    (19, "mail.mime.encoded_word", "ru",
     ["похожа на quoted-printable", "означает пробел", "RFC 2047 §4.2"],
     ["?Q?quoted-printable?="]),
    (20, "pop2.cmd.FOLD", "en", ["1985", "POP3 dropped them"], ["folders came only with IMAP"]),
    (20, "pop2.cmd.FOLD", "ru", ["1985", "POP3 от них отказался"], ["появились только в IMAP"]),
    (21, "imap.reply.unknown_cte", "en", ["does not limit BINARY", "this server's own choice"], []),
    (21, "imap.reply.unknown_cte", "ru", ["не ограничивает BINARY", "выбор самого сервера"], []),
    (23, "serve.explain.timeout", "en", ["RFC 9051 §5.4", "RFC 5321 §4.5.3.2", "RFC 1939 §3"], []),
    (23, "serve.explain.timeout", "ru", ["RFC 9051 §5.4", "RFC 5321 §4.5.3.2", "RFC 1939 §3"], []),
    (24, "smtp.auth.response", "ru", ["Раскодировать"], ["асшифровать"]),
    (25, "smtp.reply.not_available", "ru", ["завершает работу"], ["перезапуск"]),
    (26, "imap.data.ESEARCH", "ru", ["с меткой команды"], ["тег"]),
    (27, "cli.run.title", "ru", ["зерно {seed}"], ["(seed", " seed {"]),
    (27, "cli.replay.title", "ru", ["зерно {seed}"], [", seed {"]),
    (27, "cli.help.seed", "ru", ["зерно"], ["seed"]),
    (29, "smtp.cmd.DATA", "en",
     ["PIPELINING", "RFC 2920 §3.1", "commands first and their replies after"],
     ["accepted"]),
    (29, "smtp.cmd.DATA", "ru",
     ["PIPELINING", "RFC 2920 §3.1", "сначала идут эти команды"],
     ["принят"]),
    (30, "mta.reply.relay_denied", "en", ["port 587", "AUTH"], []),
    (30, "mta.reply.relay_denied", "ru", ["порт 587", "AUTH"], []),
    (32, "pop2.reply.size", "en", ["octets", "RFC 937 says \"characters\""], []),
    (32, "pop2.reply.size", "ru", ["октетах", "RFC 937 говорит «символы»"], []),
]


@pytest.mark.parametrize("item, key, lang, wanted, unwanted", WORDING,
                         ids=[f"{w[0]}-{w[1]}-{w[2]}" for w in WORDING])
def test_corrected_wording(item, key, lang, wanted, unwanted):
    text = " ".join(locale.texts(lang)[key].split())
    for phrase in wanted:
        assert phrase in text, (item, phrase)
    for phrase in unwanted:
        assert phrase not in text, (item, phrase)


def simulated(scenario, protocol):
    pytest.importorskip("ipywidgets")
    from simulator.widgets.console import ProtocolConsole
    return ProtocolConsole.simulated(scenario, protocol, lang="en")


# -- 1: the engine answers a non-ASCII MAIL FROM with 550, RCPT TO with 553 ------------------

def test_item_1_engine_550_for_mail_553_for_rcpt():
    """Also pinned at the engine level in tests/protocols/smtp/test_smtp_bad_input.py."""
    console = simulated("basic", "SMTP")
    for line in ("EHLO pc.test", "MAIL FROM:<иван@пример.рф>", "MAIL FROM:<alice@a.test>",
                 "RCPT TO:<мария@пример.рф>"):
        console.submit(line)
    codes = [s.line[:3] for s in console.steps if s.direction == "s2c"]
    assert codes[-3:] == ["550", "250", "553"]


# -- 8: the simulator asks AAAA only after A came back empty, as its text now says -------------

def test_item_8_aaaa_follows_an_empty_a():
    from simulator.network.dns import DNS
    from simulator.scenarios.model import Zone
    soa = "$TTL 3600\n@ IN SOA ns.six.test. h.six.test. (1 3600 600 86400 3600)\n@ IN NS ns\n"
    dns = DNS()
    dns.add_zone(Zone("six.test", soa + "ns IN A 192.0.2.1\nv4 IN A 192.0.2.4\n"
                      "v4 IN AAAA 2001:db8::4\nv6 IN AAAA 2001:db8::6\n", "x", 1))
    assert [lk.qtype for lk in dns.mail_route("v6.six.test").lookups][-2:] == ["A", "AAAA"]
    assert [lk.qtype for lk in dns.mail_route("v4.six.test").lookups][-1] == "A"


# -- 22: the length in imap.cmd.too_long is what was measured, not a limit -------------------

def test_item_22_imap_too_long_reports_the_measured_length():
    for lang, phrase in (("en", "has reached 8193 octets"), ("ru", "дошла до 8193 октетов")):
        text = t("imap.cmd.too_long", lang, length=8193)
        assert phrase in text and "longer than" not in text and "длиннее" not in text


# -- 28: LAST is not offered where the server refuses it, and drawn as historical -----------

def test_item_28_console_lists_only_what_this_pop3_server_accepts():
    console = simulated("pop3-basic", "POP3")
    console.submit("USER bob@b.test")
    console.submit("PASS bob-pw")
    allowed = console.allowed()
    assert "RETR" in allowed and "LAST" not in allowed and "STLS" not in allowed
    console.submit("LAST")
    assert "-ERR" in console.steps[-1].line


def test_item_28_last_is_marked_historical_in_the_pop3_diagram():
    from simulator.plots.state_loops import loop_text, stay_groups
    from simulator.plots.state_tables import state_table
    _, loops = stay_groups(state_table("POP3"))
    for lang, note in (("en", "historical mode only"), ("ru", "в историческом режиме")):
        text = loop_text(loops["TRANSACTION"], lang)
        assert "LAST†" in text and "RFC 1225" in text and note in text


# -- 29: with pipelining the commands precede their replies, and DATA's text says why -------

def test_item_29_pipelined_commands_precede_replies_and_data_does_not_claim_acceptance():
    from simulator.network import simulate
    from simulator.scenarios import load
    trace = simulate(load("basic")).trace
    relay = [s for s in trace.steps if s.protocol == "SMTP" and s.meta.get("port") == 25]
    lines = [s.line for s in relay]
    data = next(i for i, line in enumerate(lines) if line == "DATA")
    rcpt_reply = next(i for i, s in enumerate(relay) if s.direction == "s2c" and i > lines.index(
        next(line for line in lines if line.startswith("RCPT"))))
    assert data < rcpt_reply           # DATA went out before the RCPT reply came back
    step = relay[data]
    for lang in ("en", "ru"):
        text = locale.explain(step.explain, step.params, lang)
        assert "RFC 2920" in text and "accepted" not in text and "принят" not in text


# -- 30: on port 25 a message to another domain is refused, and the text shows the way ------

def test_item_30_basic_console_on_port_25_hints_at_submission():
    console = simulated("basic", "SMTP")
    for line in ("EHLO pc.test", "MAIL FROM:<alice@a.test>", "RCPT TO:<someone@far.test>"):
        console.submit(line)
    reply = console.steps[-1]
    assert reply.line.startswith("550 5.7.1")
    assert "port 587" in locale.explain(reply.explain, reply.params, "en")


# -- 31: the classroom scenario says it is for mailsim serve ----------------------------------

@pytest.mark.parametrize("lang, phrase", [("en", "meant for mailsim serve classroom"),
                                          ("ru", "предназначен для mailsim serve classroom")])
def test_item_31_classroom_replay_says_it_is_for_serve(capsys, lang, phrase):
    from simulator.cli import main
    assert main(["replay", "classroom", "--all", "--lang", lang]) == 0
    assert phrase in " ".join(capsys.readouterr().out.split())


# -- 32: POP2 announces octets ---------------------------------------------------------------

def test_item_32_pop2_size_reply_says_octets():
    from simulator.network import simulate
    from simulator.scenarios import load
    sizes = [s.line for s in simulate(load("pop2-vs-pop3")).trace.steps
             if s.protocol == "POP2" and s.line.startswith("=") and s.line.split()[0] != "=0"]
    assert sizes and all(" octets in message " in line for line in sizes)
