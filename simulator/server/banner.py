"""What ``mailsim serve`` prints: the listeners and a mail client's account settings.

The settings are the fields every mail client asks for (Thunderbird's
"manual config", Outlook's "POP and IMAP"): server, port, connection
security and user name, for incoming (IMAP preferred, RFC 9051; else POP3,
RFC 1939) and outgoing mail (submission, RFC 6409); and, where FTP listens,
the files' settings (RFC 959) with the passive data ports.
"""
from __future__ import annotations

from ..locale import t
from .app import Listening, MailServer


def banner(server: MailServer, lang: str | None = None) -> list[str]:
    """Lines for the terminal, in ``lang``; the caller prints ``ready`` after them."""
    world, opts = server.world, server.options
    lines = [t("serve.title", lang, scenario=world.scenario.name, domain=world.domain),
             t("serve.listening", lang, host=opts.host)]
    lines += [_service_line(item, lang) for item in server.listening]
    lines += ftp_lines(server, lang)
    lines += account_lines(server, lang)
    if opts.require_tls:
        lines.append(t("serve.require_tls", lang))
    if opts.maildir:
        lines.append(t("serve.maildir", lang, path=opts.maildir))
    if opts.trace_path:
        lines.append(t("serve.trace", lang, path=opts.trace_path))
    if not opts.tls_cert:
        lines.append(t("serve.certificate", lang, cert=server.certificate))
    lines.append(t("serve.stop", lang))
    return lines


def _service_line(item: Listening, lang: str | None) -> str:
    return t("serve.service", lang, name=item.name, protocol=item.protocol, host=item.host,
             port=item.port, standard=item.standard_port,
             security=t(f"serve.security.{item.security}", lang))


def ftp_lines(server: MailServer, lang: str | None) -> list[str]:
    """Where FTP's passive data connections go (a firewall must let them through)."""
    if not any(item.protocol == "FTP" for item in server.listening):
        return []
    ports = server.options.ftp_passive_ports
    if ports is None:
        return [t("serve.ftp_passive_any", lang)]
    return [t("serve.ftp_passive", lang, low=ports[0], high=ports[1])]


def _files_line(item: Listening | None, lang: str | None, login: str,
                host: str | None = None) -> list[str]:
    return [] if item is None else [t("serve.files", lang, host=host or item.host,
                                      port=item.port, login=login)]


def account_lines(server: MailServer, lang: str | None) -> list[str]:
    """For each user of the served domain: incoming and outgoing settings."""
    by_name = {item.name: item for item in server.listening}
    incoming = [item for names in (("imaps", "imap"), ("pop3s", "pop3"))
                for item in [next((by_name[n] for n in names if n in by_name), None)] if item]
    outgoing = by_name.get("submission") or by_name.get("smtps")
    domain = server.world.domain
    if server.students is not None:
        return class_lines(server, incoming, outgoing, lang)
    lines = []
    for user in server.world.scenario.users:
        if not user.address.lower().endswith("@" + domain):
            continue
        login = user.address.rpartition("@")[0]
        lines.append(t("serve.account", lang, address=user.address, password=user.password))
        for item in incoming:
            lines.append(t("serve.incoming", lang, **_fields(item, lang), login=login,
                           address=user.address))
        if outgoing:
            lines.append(t("serve.outgoing", lang, **_fields(outgoing, lang), login=login))
        lines += _files_line(by_name.get("ftp"), lang, login)
    return lines


def class_lines(server: MailServer, incoming: list[Listening], outgoing: Listening | None,
                lang: str | None) -> list[str]:
    """Class mode: how many accounts, where their passwords are, one settings block."""
    students = server.students
    first = students[0].login
    lines = [t("serve.class.accounts", lang, count=len(students), first=first,
               last=students[-1].login, domain=server.world.domain,
               path=server.passwords_path)]
    for item in incoming:
        lines.append(t("serve.incoming", lang, **_fields(item, lang, server.public_host),
                       login=first, address=f"{first}@{server.world.domain}"))
    if outgoing:
        lines.append(t("serve.outgoing", lang, **_fields(outgoing, lang, server.public_host),
                       login=first))
    ftp = next((item for item in server.listening if item.name == "ftp"), None)
    lines += _files_line(ftp, lang, first, server.public_host)
    return lines


def _fields(item: Listening, lang: str | None, host: str | None = None) -> dict:
    return {"protocol": item.protocol, "host": host or item.host, "port": item.port,
            "security": t(f"serve.security.{item.security}", lang)}
