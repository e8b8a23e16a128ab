"""06 Security: ports and TLS, where the password travels, sender authentication
(Q1; E1, E12, E18).  Thin for now: the security issue grows it."""
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
## 3. Подлинность отправителя

SMTP не проверяет, что `MAIL FROM` и `From:` принадлежат отправителю. Это решают записи DNS:
SPF (RFC 7208) — с каких адресов домен отправляет почту, DKIM (RFC 6376, заменил DomainKeys) —
подпись письма ключом домена, DMARC (RFC 7489) — что делать с письмом, не прошедшим проверку.
Sender ID признан историческим. Домен `a.test` в `ports-tls` публикует SPF и DMARC. SPF
проверяет сервер получателя, когда письмо от `@a.test` приходит к нему на порт 25: «pass» только
у `mail.a.test`, а письмо, отправленное на MX получателя прямо с ноутбука, не прошло бы проверку,
и по DMARC `p=reject` его бы отвергли.
""", """
## 3. Sender authentication

SMTP does not check that `MAIL FROM` and `From:` belong to the sender. DNS records do that: SPF
(RFC 7208) says which addresses send the domain's mail, DKIM (RFC 6376, which replaced
DomainKeys) signs the message with the domain's key, DMARC (RFC 7489) says what to do with a
message that fails. Sender ID is historic. The domain `a.test` in `ports-tls` publishes SPF and
DMARC. The recipient's server checks SPF when a message from `@a.test` reaches it on port 25:
only `mail.a.test` passes; a message sent from the laptop straight to the recipient's MX would
fail, and DMARC `p=reject` would have it refused.
"""),
    code('''
import ipaddress

from simulator.locale import t
from simulator.network.simulation import Network

dns = Network(load_builtin("ports-tls"), 1).dns
txt = {name: dns.query(name, "TXT") for name in ("a.test", "_dmarc.a.test")}
display(table(("TXT", tr("запись", "record")),
              [(name, " ".join(q.rdata)) for name, q in txt.items()],
              mono=(1,)))
print(t(txt["a.test"].key, LANG))
allowed = [ipaddress.ip_network(word[4:]) for word in txt["a.test"].rdata[0].strip('"').split()
           if word.startswith("ip4:")]
relays = {trace.filter(conn=c)[0].src for c in trace.connections()
          if trace.filter(conn=c)[0].meta["port"] == 25}
table((tr("узел", "host"), tr("адрес", "address"), tr("SPF для a.test", "SPF for a.test"),
       tr("пересылал здесь на порт 25", "relayed on port 25 here")),
      [(host, address, "pass" if any(ipaddress.ip_address(address) in net for net in allowed)
        else "fail", yes(host in relays))
       for host, address in dns.hosts().items() if host.endswith("a.test")])
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
    *quiz('security', 'sec-apop-encryption', 'sec-ports', 'sec-base64-not-encryption', 'sec-starttls-ehlo'),
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
        ("Что видит подслушивающий при входе по APOP?",
         "What does an eavesdropper see of an APOP login?",
         "Метку сервера и MD5-хэш — пароль по ним можно подобрать перебором; письма идут "
         "открытым текстом.",
         "The server's timestamp and the MD5 digest — enough to guess the password offline; "
         "the messages travel in clear text."),
    ),
]
