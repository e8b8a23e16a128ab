"""TLS for the loopback servers: a self-signed certificate and the SSL contexts.

RFC 8314 §3 prefers implicit TLS (465, 995, 993); RFC 3207 (SMTP STARTTLS),
RFC 2595 (POP3 STLS, IMAP STARTTLS) upgrade a plain connection.  Both need a
certificate.  A student's machine has none, so the first start makes a
self-signed one for ``localhost`` and ``127.0.0.1`` (in a classroom: also for
every ``--tls-name`` and the machine's own names) with the ``cryptography``
package and keeps it in the per-user data folder (XDG base directory spec:
``$XDG_DATA_HOME/mailsim``, else ``~/.local/share/mailsim``); mail clients
then ask once whether to trust it.
"""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import re
import socket
import ssl
from pathlib import Path

CERT_NAME, KEY_NAME = "localhost-cert.pem", "localhost-key.pem"
#: Long enough for a course, short enough that clients do not refuse it (< 825 days).
VALID_DAYS = 800


def data_dir() -> Path:
    """The per-user data folder of mailsim: XDG_DATA_HOME, else %LOCALAPPDATA% on Windows,
    else ~/.local/share."""
    base = os.environ.get("XDG_DATA_HOME") or os.environ.get("LOCALAPPDATA") or \
        os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "mailsim"


#: What the default certificate names: this machine, over loopback.
LOOPBACK_NAMES, LOOPBACK_ADDRESSES = ("localhost",), ("127.0.0.1", "::1")


def ensure_certificate(folder: Path | None = None, names: tuple[str, ...] = LOOPBACK_NAMES,
                       addresses: tuple[str, ...] = LOOPBACK_ADDRESSES) -> tuple[Path, Path]:
    """(certificate, key) paths in ``folder`` for exactly these DNS names and IP addresses;
    made on first use, reused afterwards (each set of names has its own pair of files)."""
    folder = folder or data_dir()
    if (tuple(names), tuple(addresses)) == (LOOPBACK_NAMES, LOOPBACK_ADDRESSES):
        cert, key = folder / CERT_NAME, folder / KEY_NAME
    else:
        digest = hashlib.sha256(repr((sorted(names), sorted(addresses))).encode()).hexdigest()
        cert, key = folder / f"class-{digest[:12]}-cert.pem", folder / f"class-{digest[:12]}-key.pem"
    if not (cert.exists() and key.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = make_self_signed(tuple(names), tuple(addresses))
        _write_private(key, key_pem)
        cert.write_bytes(cert_pem)
    return cert, key


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


#: A host name a certificate may carry (RFC 1123 §2.1 labels; a leading "*." wildcard).
DNS_NAME = re.compile(r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                      r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?")


def is_dns_name(name: str) -> bool:
    return len(name) <= 253 and bool(DNS_NAME.fullmatch(name))


def certificate_names(tls_names: list[str], host: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(DNS names, IP addresses) for the self-signed certificate of a server on ``host``.

    Always loopback; then every ``--tls-name`` (a DNS name or an IP address, the
    first one becomes the subject's CN); and for a server reachable from the LAN
    (``--host`` not loopback) this machine's own names and addresses too, so a
    student may type any of them.  Mail clients match the name they were given
    against these subjectAltName entries (RFC 6125 §6).
    """
    names, addresses = [], []
    own = own_names(host) if not _is_loopback(host) else []
    for name in [*tls_names, *LOOPBACK_NAMES, *LOOPBACK_ADDRESSES, *own]:
        bucket = addresses if is_ip_address(name) else names
        if name.lower() not in (n.lower() for n in bucket):
            bucket.append(name.lower() if bucket is names else name)
    return tuple(names), tuple(addresses)


def own_names(host: str) -> list[str]:
    """This machine's host name, its fully qualified name and its addresses on the LAN."""
    found = [] if host in WILDCARDS else [host]
    hostname = socket.gethostname()
    for name in (hostname, socket.getfqdn()):
        if is_dns_name(name):
            found.append(name)
    found += lan_addresses()
    return found


WILDCARDS = ("0.0.0.0", "::", "")


def lan_addresses() -> list[str]:
    """The addresses this machine is known by on its networks (loopback left out)."""
    found = []
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    route = primary_address()
    if route:
        found.append(route)
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback]


def primary_address() -> str | None:
    """The source address of this machine's default route (a UDP "connect" sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))          # TEST-NET-1 (RFC 5737): never reached
            return probe.getsockname()[0]
        except OSError:
            return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    return is_ip_address(host) and ipaddress.ip_address(host).is_loopback


def _write_private(path: Path, data: bytes) -> None:
    """Write a private key readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def make_self_signed(names: tuple[str, ...], addresses: tuple[str, ...]) -> tuple[bytes, bytes]:
    """A PEM certificate and key (EC P-256) with those DNS names and IP addresses."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailsim classroom")])
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(a))
                                               for a in addresses]
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            # What a strict verifier (OpenSSL's X509_STRICT, Python 3.13's default) asks
            # of a self-signed certificate used as its own trust anchor (RFC 5280 §4.2.1).
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                key.public_key()), critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context: TLS 1.2 or newer (RFC 8996 deprecates 1.0 and 1.1)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context


def client_context_unverified() -> ssl.SSLContext:
    """What tests and benchmarks use: a client that accepts the self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
