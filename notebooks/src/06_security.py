"""06 Security: ports and TLS, where the password travels, AUTH on 587/465 and none on 25,
sender authentication with SPF, DKIM and DMARC, forwarding, open relays (Q1; E1, E12, E18)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(6)

CELLS = [
    md("""
# Безопасность: порты, TLS и пароли

Кто может прочитать письмо и пароль по дороге? Сценарий `ports-tls` отправляет почту через
порты 465 и 587 и забирает её по POP3 тремя способами. Таблица ниже собрана из трассы: где
начинается шифрование и виден ли пароль тому, кто слушает сеть.
""", """
# Security: ports, TLS and passwords

Who can read a message and a password on the way? The `ports-tls` scenario sends mail through
ports 465 and 587 and fetches it over POP3 in three ways. The table below is gathered from the
trace: where encryption starts and whether a listener on the network sees the password.
"""),
    SETUP,
    md("""
## 1. Где начинается TLS и кто видит пароль
""", """
## 1. Where TLS starts and who sees the password
"""),
    code('''
import base64

secure = simulate(load_builtin("ports-tls"))
trace = secure.trace
rows = []
for conn in trace.connections():
    steps = trace.filter(conn=conn)
    clear = [s for s in steps if s.direction == "c2s" and not s.meta.get("tls")]
    leaked = [s.line for s in clear if "-pw" in s.line or (s.line.startswith("AUTH PLAIN")
              and b"-pw" in base64.b64decode(s.line.split()[-1]))]
    handshake = next((s for s in steps if s.protocol == "TLS"), None)
    start = ("—" if handshake is None else
             tr("сразу (неявный)", "first (implicit)") if handshake.explain == "net.tls_implicit"
             else "STARTTLS/STLS")
    login = next((s.line.split()[0] for s in steps if s.direction == "c2s" and
                  s.line.split()[0] in ("AUTH", "PASS", "APOP")), "—")
    rows.append((conn, steps[0].meta["port"], start, login, leaked[0] if leaked else ""))
table((tr("соединение", "conn"), tr("порт", "port"), "TLS", tr("вход", "login"),
       tr("пароль открытым текстом", "password in clear text")), rows, mono=(4,))
'''),
    md("""
## 2. base64 — не шифрование

`AUTH PLAIN` в base64 — это не шифрование: декодируем строку из трассы (если бы она шла без TLS,
её прочитал бы любой). Поэтому пароль отправляют только внутри TLS: на 465/993/995 TLS с первого
байта, на 587/143/110 — после STARTTLS/STLS (RFC 8314, RFC 3207, RFC 2595).
""", """
`AUTH PLAIN` in base64 is not encryption: let us decode the line from the trace (without TLS
anyone could). That is why a password goes only inside TLS: on 465/993/995 TLS starts with the
first byte, on 587/143/110 after STARTTLS/STLS (RFC 8314, RFC 3207, RFC 2595).
"""),
    code('''
auth = next(s.line for s in trace if s.line.startswith("AUTH PLAIN"))
print(auth, "→", base64.b64decode(auth.split()[-1]))
'''),
    code('''
player = TracePlayer(trace, lang=LANG, picture="sequence")
player.show(next(s.number for s in trace if s.explain == "net.tls_implicit"))
player
'''),
    md("""
## 3. В SMTP есть вход: AUTH на 587 и 465, а на 25 его нет

Распространённое утверждение «в SMTP нет аутентификации» устарело: расширение AUTH (RFC 4954)
есть у каждого сервера отправки. Но у разных портов разные задачи (RFC 8314, RFC 6409): 587 —
отправка почты пользователями (STARTTLS, затем AUTH), 465 — та же отправка, но TLS с первого
байта (неявный TLS, а не «SMTPS» как особый протокол), 25 — пересылка между серверами: там
пароля нет, и сервер принимает почту только для своих доменов. Таблица собрана из ответов на
EHLO в трассе `ports-tls`.
""", """
## 3. SMTP does have a login: AUTH on 587 and 465, and none on 25

The common claim "SMTP has no authentication" is out of date: every submission server has the
AUTH extension (RFC 4954). But the ports have different jobs (RFC 8314, RFC 6409): 587 is
submission by users (STARTTLS, then AUTH), 465 the same submission with TLS from the first
octet (implicit TLS, not a separate "SMTPS" protocol), 25 relay between servers: no password
there, and a server takes only mail for its own domains. The table is made from the EHLO
replies in the `ports-tls` trace.
"""),
    code('''
rows = []
for conn in trace.connections():
    port = trace.filter(conn=conn)[0].meta["port"]
    ehlos = trace.exchanges(command="EHLO", conn=conn)
    if not ehlos:
        continue
    offered = "AUTH" in ehlos[-1].reply.line
    login = trace.find(command="AUTH", conn=conn)
    rows.append((conn, port, {25: tr("пересылка", "relay"), 587: tr("отправка", "submission"),
                              465: tr("отправка, неявный TLS", "submission, implicit TLS")}[port],
                 yes(offered), login.reply.line if login else "—"))
table((tr("соединение", "conn"), tr("порт", "port"), tr("назначение", "job"),
       tr("EHLO предлагает AUTH", "EHLO offers AUTH"), tr("ответ на AUTH", "AUTH reply")), rows,
      mono=(4,))
'''),
    md("""
## 4. Подделка отправителя и её проверка: SPF, DKIM, DMARC

SMTP не проверяет, что `MAIL FROM` (конверт) и `From:` (то, что видит читатель) принадлежат
отправителю (RFC 5321 §7.1). Сегодня это решают три стандарта, работающие вместе, а не
«соперничающие незаконченные» предложения:

| стандарт | что проверяет | история |
| --- | --- | --- |
| SPF, RFC 7208 | может ли этот IP-адрес слать почту домена из `MAIL FROM` | RFC 4408 (2006) → RFC 7208 (2014) |
| DKIM, RFC 6376 | подпись тела и полей письма ключом домена `d=`, ключ — в DNS | заменил DomainKeys (RFC 4870, теперь исторический) |
| DMARC, RFC 7489 | совпадает ли домен, прошедший SPF или DKIM, с доменом в `From:`; что делать, если нет | 2015, используется всеми крупными почтовыми службами |

Sender ID (RFC 4406) был экспериментом и признан историческим (RFC 6686). В сценарии `spoofing`
злоумышленник шлёт «письмо директора» прямо на MX получателей. `mx.b.test` ничего не
проверяет, `mx.c.test` проверяет всё (`sender_auth: true`).
""", """
## 4. A forged sender and how it is caught: SPF, DKIM, DMARC

SMTP does not check that `MAIL FROM` (the envelope) and `From:` (what the reader sees) belong to
the sender (RFC 5321 §7.1). Today three standards that work together solve it — not "rival,
unfinished" proposals:

| standard | what it checks | history |
| --- | --- | --- |
| SPF, RFC 7208 | whether this IP address may send mail for the `MAIL FROM` domain | RFC 4408 (2006) → RFC 7208 (2014) |
| DKIM, RFC 6376 | a signature over the body and fields with the key of domain `d=`, the key in DNS | replaced DomainKeys (RFC 4870, now historic) |
| DMARC, RFC 7489 | whether a domain that passed SPF or DKIM matches the `From:` domain; what to do if not | 2015, used by every large mail service |

Sender ID (RFC 4406) was an experiment and is historic (RFC 6686). In the `spoofing` scenario a
forger sends "a message from the CEO" straight to the recipients' MX hosts. `mx.b.test` checks
nothing, `mx.c.test` checks everything (`sender_auth: true`).
"""),
    code('''
def verdicts(result, server):
    """One row per message the server checked: the envelope, From:, the three results, the reply."""
    rows = []
    for step in result.trace:
        if step.src != server or not step.explain.startswith("auth.spf."):
            continue
        same = [s for s in result.trace if s.time == step.time and s.src == server]
        found = {s.explain.split(".")[1]: s for s in same if s.explain.startswith("auth.")}
        reply = next(s.line for s in same if s.direction == "s2c" and s.index > step.index)
        rows.append((f"{step.time:g}", step.params["sender"], "@" + found["dmarc"].params["domain"],
                     step.explain.split(".")[-1], found["dkim"].explain.split(".")[-1],
                     found["dmarc"].explain.split(".")[-1], reply))
    return rows


HEAD = ("t, s", "MAIL FROM", "From:", "SPF", "DKIM", "DMARC", tr("ответ сервера", "server's reply"))
spoof = simulate(load_builtin("spoofing"))
forged = spoof.store.account("bob@b.test").inbox.get(1).data.decode()
print(tr("У Боба (mx.b.test, без проверок):", "In Bob's mailbox (mx.b.test, no checks):"))
print(forged.split("\\r\\n\\r\\n")[0].split("From: ")[1].splitlines()[0])
table(HEAD, verdicts(spoof, "mx.c.test"), mono=(1, 6))
'''),
    md("""
Подделка `ceo@a.test` в конверте ловится SPF (адрес злоумышленника не из записи a.test), а DMARC
с `p=reject` велит отказать: `550 5.7.26`. Если злоумышленник пишет в `MAIL FROM` свой домен,
SPF проходит — но для evil.test, а не для a.test из `From:`: DMARC не видит совпадения и снова
отказывает. Настоящее письмо директора подписано DKIM сервером `mail.a.test` и проходит всё.
Поддельный `news@shop.test`: у shop.test есть только SPF, без DMARC, и сервер отказывает по SPF
(`550 5.7.23`). Вот шаги проверки письма в момент t = 60 и заголовок, который сервер добавил к
принятому письму:
""", """
A forged `ceo@a.test` in the envelope is caught by SPF (the forger's address is not in a.test's
record), and DMARC's `p=reject` has it refused: `550 5.7.26`. When the forger writes his own
domain in `MAIL FROM`, SPF passes — for evil.test, not for the a.test of `From:`: DMARC sees no
alignment and refuses again. The CEO's real message is signed with DKIM by `mail.a.test` and
passes everything. A forged `news@shop.test`: shop.test publishes SPF only, no DMARC, and the
server refuses by SPF (`550 5.7.23`). Here are the checks of the message at t = 60, and the
header the server added to the message it accepted:
"""),
    code('''
display(steps_table([s for s in spoof.trace if s.time == 60.14 and s.src == "mx.c.test"
                     and s.direction != "c2s"], LANG))
real = spoof.store.account("carol@c.test").inbox.get(1).data.decode()
print("\\n".join(line for line in real.split("\\r\\n\\r\\n")[0].splitlines()
                  if not line.startswith(("Return-Path", "Delivered-To")))[:1400])
'''),
    md("""
## 5. Опыт: меняем записи DNS

Ниже — маленький сценарий: `ann@x.test` шлёт письмо прямо на `mx.c.test`, который всё
проверяет. Меняем запись SPF домена x.test, его запись DMARC и ломаем DNS — и видим все семь
итогов SPF (RFC 7208 §2.6) и действие сервера. Попробуйте свои записи.
""", """
## 5. Experiment: change the DNS records

Below is a small scenario: `ann@x.test` sends a message straight to `mx.c.test`, which checks
everything. We change x.test's SPF record and its DMARC record, and break DNS — and see all
seven SPF results (RFC 7208 §2.6) and what the server does. Try records of your own.
"""),
    code('''
from simulator.scenarios import load_text

LAB = """
name: sender-lab
zones:
  x.test: |
    $TTL 3600
    @      IN SOA ns.x.test. hostmaster.x.test. 1 3600 600 86400 300
    @      IN NS  ns.x.test.
    @      IN TXT "{spf}"
    _dmarc IN TXT "{dmarc}"
    ns     IN A   192.0.2.2
    pc     IN A   192.0.2.11
  c.test: |
    $TTL 3600
    @      IN SOA ns.c.test. hostmaster.c.test. 1 3600 600 86400 300
    @      IN NS  ns.c.test.
    @      IN MX  10 mx.c.test.
    ns     IN A   198.51.100.130
    mx     IN A   198.51.100.140
hosts:
  - {{name: pc.x.test, roles: [mua], user: ann@x.test, smtp_server: mx.c.test}}
  - {{name: mx.c.test, roles: [mta, mda], domains: [c.test], sender_auth: true}}
users: [{{address: ann@x.test}}, {{address: carol@c.test}}]
messages:
  - {{at: 0, client: pc.x.test, from: ann@x.test, to: [carol@c.test], subject: Test, body: Hi}}
faults: {faults}
"""
BROKEN_DNS = "[{kind: dns, name: x.test, rcode: SERVFAIL}]"
EXPERIMENTS = [
    ("v=spf1 a:pc.x.test -all", "v=DMARC1; p=reject", "[]"),
    ("v=spf1 -all", "v=DMARC1; p=reject", "[]"),
    ("v=spf1 -all", "", "[]"),
    ("v=spf1 ~all", "", "[]"),
    ("v=spf1 ?all", "", "[]"),
    ("v=spf1 a:pc.x.test foo:bar -all", "", "[]"),
    ("", "", "[]"),
    ("v=spf1 a:pc.x.test -all", "v=DMARC1; pct=50", "[]"),
    ("v=spf1 a:pc.x.test -all", "v=DMARC1; p=reject", BROKEN_DNS),
]
lab_runs = {row: simulate(load_text(LAB.format(spf=row[0], dmarc=row[1], faults=row[2]),
                                    source="sender-lab.yaml")) for row in EXPERIMENTS}
table((tr("запись SPF", "SPF record"), tr("запись DMARC", "DMARC record"), "DNS",
       "SPF", "DMARC", tr("ответ сервера", "server's reply")),
      [(spf or "—", dmarc or "—", tr("сбой", "SERVFAIL") if faults != "[]" else "ok",
        *verdicts(run, "mx.c.test")[0][3:4], *verdicts(run, "mx.c.test")[0][5:])
       for (spf, dmarc, faults), run in lab_runs.items()], mono=(0, 1, 5))
'''),
    code('''
# Пояснение каждого итога SPF / What each SPF result means
# (один шаг на каждый итог / one step per result)
shown = {s.explain: s for run in lab_runs.values() for s in run.trace
         if s.explain.startswith(("auth.spf.", "auth.dmarc."))}
steps_table(sorted(shown.values(), key=lambda s: s.explain), LANG)
'''),
    md("""
## 6. Пересылка ломает SPF, а DKIM выдерживает

В сценарии `dkim-forwarding` Боб пересылает почту со старого адреса bob@b.test на bob@c.test.
Сервер b.test передаёт письмо дальше со своего адреса, не меняя отправителя конверта, поэтому
на c.test SPF даёт fail. Подпись DKIM Алисы цела — поля и тело не менялись, — и DMARC проходит
по DKIM (RFC 7489 §10.1). Письмо Дейва без подписи после пересылки не проходит ничего, и
`p=quarantine` домена d.test отправляет его в папку Junk.
""", """
## 6. Forwarding breaks SPF while DKIM survives

In the `dkim-forwarding` scenario Bob forwards mail from his old address bob@b.test to
bob@c.test. b.test's server passes the message on from its own address, with the envelope sender
unchanged, so at c.test SPF says fail. Alice's DKIM signature is intact — neither the fields nor
the body changed — and DMARC passes by DKIM (RFC 7489 §10.1). Dave's unsigned message passes
nothing after forwarding, and d.test's `p=quarantine` sends it to the Junk folder.
"""),
    code('''
fwd = simulate(load_builtin("dkim-forwarding"))
display(table(HEAD, verdicts(fwd, "mx.b.test") + verdicts(fwd, "mx.c.test"), mono=(1, 6)))
table((tr("ящик", "mailbox"), tr("папка", "folder")), [(d.address, d.folder) for d in fwd.deliveries])
'''),
    md("""
Что же ломает DKIM? Проверим подпись письма Алисы, каким его получил Боб, после правок, которые
делают по дороге, например, списки рассылки, и при сбоях DNS (RFC 6376 §6).
""", """
So what breaks DKIM? Let us verify the signature of Alice's message as Bob received it, after the
changes that, say, mailing lists make on the way, and when DNS fails (RFC 6376 §6).
"""),
    code('''
from simulator.network import dkim_check
from simulator.network.simulation import Network

letter = fwd.store.account("bob@c.test").inbox.get(1).data
world = Network(load_builtin("dkim-forwarding"), 1)       # the same seed: the same key in DNS
now = world.now_datetime().timestamp()


def dkim_row(change, data):
    found = dkim_check.verify(data, world.dns, lambda lookup: None, now)
    return (change, found.result, t(f"auth.dkim.{found.result}", LANG, domain=found.domain,
                                    selector=found.selector, reason=found.reason or "—"))


rows = [dkim_row(tr("как получено", "as received"), letter),
        dkim_row(tr("список рассылки добавил подпись внизу", "a mailing list added a footer"),
                 letter + b"--\\r\\nThe course mailing list\\r\\n"),
        dkim_row(tr("к теме добавили [lab]", "[lab] was added to the Subject"),
                 letter.replace(b"Subject: ", b"Subject: [lab] ")),
        dkim_row(tr("селектор, которого нет в DNS", "a selector DNS does not have"),
                 letter.replace(b"s=mail;", b"s=old;"))]
world.dns.set_failure("mail._domainkey.a.test")
rows.append(dkim_row(tr("DNS ключа не отвечает", "the key's DNS fails"), letter))
table((tr("что изменилось", "what changed"), "DKIM", tr("пояснение", "explanation")), rows)
'''),
    md("""
## 7. Открытый ретранслятор

Сервер, который без входа пересылает почту чужих в чужие домены, — открытый ретранслятор: им
пользуются спамеры, а его адрес попадает в чёрные списки. В сценарии `open-relay` сервер a.test
до исправления (t = 60) так и делает; после — отвечает `550 5.7.1`, а свои пользователи
отправляют почту через порт 587 с AUTH.
""", """
## 7. An open relay

A server that relays mail from strangers to other domains without a login is an open relay:
spammers use it, and its address ends up on block lists. In the `open-relay` scenario a.test's
server does so until the fix (t = 60); afterwards it answers `550 5.7.1`, and its own users send
through port 587 with AUTH.
"""),
    code('''
relay = simulate(load_builtin("open-relay"))
display(steps_table([s for ex in relay.trace.exchanges(command="RCPT") for s in ex.steps
                     if s.direction == "s2c"], LANG))
spam = relay.store.account("victim@c.test").inbox.get(1).data.decode()
print("\\n".join(line for line in spam.splitlines() if line.startswith(("Received", " "))))
'''),
    # ---- The eavesdropper's view and Wireshark (issue 14; helper "wire") ----------------
    md("""
## Что видит перехватчик, и та же сеть в Wireshark

Сценарий `sniffer`: Боб входит в POP3 с ноутбука в кафе четырьмя способами — 110 с USER/PASS,
APOP, 110 + STLS и 995. Панель справа от проигрывателя показывает то, что записал бы
подслушивающий в той же сети: открытый текст с выделенным паролем или только размеры записей TLS
и имя сервера (SNI).
""", """
## What an eavesdropper sees, and the same network in Wireshark

The `sniffer` scenario: Bob logs in to POP3 from a café's Wi-Fi four ways — 110 with USER/PASS,
APOP, 110 + STLS and 995. The panel beside the player shows what a listener on that network
records: clear text with the password marked, or only the sizes of TLS records and the server's
name (SNI).
"""),
    code('''
import ipywidgets
from simulator.widgets import SnifferPanel
from simulator.wire.apop import dictionary_attack
from simulator.wire.pcap_import import import_pcap
from simulator.wire.sniffer import sniff

cafe = simulate(load_builtin("sniffer"))
wire_player = TracePlayer(cafe.trace, lang=LANG)
panel = SnifferPanel(cafe.trace, lang=LANG, player=wire_player)
wire_player.show(next(s.number for s in cafe.trace if s.line.startswith("PASS")))
ipywidgets.VBox([wire_player, panel])
'''),
    md("""
APOP не отправляет пароль, но метка времени и MD5 видны, и слабый пароль подбирается по словарю
дома, без связи с сервером (RFC 1939 §13). Ниже — двести тысяч слов, последним стоит пароль Боба.
""", """
APOP sends no password, but the timestamp and the MD5 digest are visible, and a weak password is
found from a word list at home, without talking to the server (RFC 1939 §13). Below: two hundred
thousand words with Bob's password last.
"""),
    code('''
apop = next(s for v in sniff(cafe.trace) for s in v.secrets if s.kind == "apop_digest")
words = [f"word{i}" for i in range(200_000)] + ["sunshine"]
found = dictionary_attack(apop.timestamp, apop.value, words)
print(tr("пароль:", "password:"), found.password, "|", tr("попыток:", "tries:"), found.tries,
      "|", f"{found.seconds:.2f} s, {found.rate:,.0f}/s")
'''),
    md("""
`cafe.trace.to_pcap("sniffer.pcap", addresses=cafe.addresses)` записывает те же пакеты для
Wireshark (`mailsim run sniffer --pcap sniffer.pcap`), а `import_pcap` читает запись обратно —
как запись настоящей сети (`mailsim replay файл.pcap`). Соединение на 995 зашифровано и
пропускается. У строк, которые не объясняются без состояния сервера (октеты письма в APPEND,
ответы `* OK [...]`), общее пояснение.
""", """
`cafe.trace.to_pcap("sniffer.pcap", addresses=cafe.addresses)` writes the same packets for
Wireshark (`mailsim run sniffer --pcap sniffer.pcap`), and `import_pcap` reads a capture back like
one of a real network (`mailsim replay file.pcap`). The connection on 995 is encrypted and left
out. Lines that cannot be explained without the server's state (the message's octets in APPEND,
`* OK [...]` responses) get a general explanation.
"""),
    code('''
captured = import_pcap(cafe.trace.to_pcap(addresses=cafe.addresses), "sniffer.pcap")
print([(s.server, s.port, s.reason) for s in captured.skipped])
saved = import_pcap(simulate(load_builtin("imap-append")).trace.to_pcap(), "imap-append.pcap")
append = next(s.conn for s in saved.trace if "APPEND" in s.line)
table(("#", tr("строка", "line"), tr("пояснение", "explanation")),
      [(s.number, s.line.splitlines()[0][:48], s.explanation(LANG)[:90])
       for s in saved.trace.filter(conn=append) if s.direction != "internal"][:8])
'''),
    *quiz('security', 'sec-apop-encryption', 'sec-ports', 'sec-base64-not-encryption',
          'sec-starttls-ehlo', 'sec-spoofing-dmarc-code', 'sec-forwarding-spf', 'sec-open-relay-fixed'),
    check(
        ("Чем порт 465 отличается от 587?",
         "How does port 465 differ from 587?",
         "Оба — отправка писем с входом. На 465 TLS начинается сразу (неявный TLS, RFC 8314), "
         "на 587 — после команды STARTTLS.",
         "Both are submission with a login. On 465 TLS starts at once (implicit TLS, RFC 8314), "
         "on 587 after the STARTTLS command."),
        ("Шифруют ли порты 110 и 143 соединение?",
         "Are ports 110 and 143 unencrypted?",
         "Сами по себе нет, но команды STLS и STARTTLS включают TLS в том же соединении "
         "(RFC 2595).",
         "Not by themselves, but the STLS and STARTTLS commands switch TLS on in the same "
         "connection (RFC 2595)."),
        ("Почему письмо с поддельным From: ceo@a.test не спасает то, что SPF прошёл для "
         "evil.test?",
         "Why does an SPF pass for evil.test not save a message with a forged From: ceo@a.test?",
         "SPF подтверждает только домен конверта (MAIL FROM). DMARC требует, чтобы прошедший "
         "домен совпадал с доменом в From: (RFC 7489 §3.1); evil.test с a.test не совпадает.",
         "SPF vouches only for the envelope domain (MAIL FROM). DMARC asks that the passing "
         "domain be aligned with the From: domain (RFC 7489 §3.1); evil.test is not a.test."),
        ("Почему после пересылки SPF не проходит, а DKIM проходит?",
         "Why does SPF fail after forwarding while DKIM passes?",
         "SPF проверяет адрес подключившегося сервера — теперь это пересылающий сервер. DKIM "
         "проверяет подпись тела и полей письма, а пересылка их не меняет.",
         "SPF checks the address of the connecting server — now the forwarder. DKIM checks a "
         "signature over the body and fields, which forwarding does not change."),
        ("Что делает сервер открытым ретранслятором и чем это плохо?",
         "What makes a server an open relay, and why is it bad?",
         "Он принимает без входа почту от чужих для чужих доменов. Спамеры рассылают через "
         "него, и его адрес попадает в чёрные списки; правильный ответ — 550 5.7.1.",
         "It takes mail from strangers for other domains without a login. Spammers send "
         "through it and its address is block-listed; the right answer is 550 5.7.1."),
        ("Что видит подслушивающий при входе по APOP?",
         "What does an eavesdropper see of an APOP login?",
         "Метку сервера и MD5-хэш — пароль по ним можно подобрать перебором; письма идут "
         "открытым текстом.",
         "The server's timestamp and the MD5 digest — enough to guess the password offline; "
         "the messages travel in clear text."),
    ),
]
