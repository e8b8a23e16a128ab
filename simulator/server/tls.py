"""TLS for the loopback servers: a self-signed certificate and the SSL contexts.

RFC 8314 §3 prefers implicit TLS (465, 995, 993); RFC 3207 (SMTP STARTTLS),
RFC 2595 (POP3 STLS, IMAP STARTTLS) upgrade a plain connection.  Both need a
certificate.  A student's machine has none, so the first start makes a
self-signed one for ``localhost`` and ``127.0.0.1`` with the ``cryptography``
package and keeps it in the per-user data folder (XDG base directory spec:
``$XDG_DATA_HOME/mailsim``, else ``~/.local/share/mailsim``); mail clients
then ask once whether to trust it.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
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


def ensure_certificate(folder: Path | None = None) -> tuple[Path, Path]:
    """(certificate, key) paths in ``folder``; made on first use, reused afterwards."""
    folder = folder or data_dir()
    cert, key = folder / CERT_NAME, folder / KEY_NAME
    if not (cert.exists() and key.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        cert_pem, key_pem = make_self_signed(("localhost",), ("127.0.0.1", "::1"))
        _write_private(key, key_pem)
        cert.write_bytes(cert_pem)
    return cert, key


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
    from cryptography.x509.oid import NameOID

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
