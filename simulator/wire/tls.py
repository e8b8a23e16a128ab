"""A simulated TLS record layer: what TLS 1.3 looks like to someone who cannot decrypt it.

The simulated network does not encrypt (the trace keeps the plain text so
students can read it), but an observer on a real wire sees records, not text.
This module is the one model of those records, used by the sniffer's view and
by the pcap export alike:

- the handshake (RFC 8446 §4): a ClientHello in clear, with the server's name
  (SNI, RFC 6066 §3) and a key share; the ServerHello; a ChangeCipherSpec each
  (RFC 8446 Appendix D.4, "middlebox compatibility mode"); everything after the
  ServerHello is already encrypted (EncryptedExtensions, Certificate,
  CertificateVerify, Finished), so it travels as application-data records;
- application data (RFC 8446 §5.2): each record carries at most 2^14 octets of
  plain text and grows by one octet of inner content type and a 16-octet AEAD
  tag (TLS_AES_128_GCM_SHA256).  The record header (type 23, legacy version
  0x0303, length) is all that is readable.

Cipher text is pseudo-random bytes derived from a label (``shake_256``), so the
same trace always gives the same records and no plain text leaks into them.
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

#: RFC 8446 §5.1 content types.
CHANGE_CIPHER_SPEC, HANDSHAKE, APPLICATION_DATA = 20, 22, 23
#: RFC 8446 §5.2: plain text per record, and what AEAD adds (content type + 16-octet tag).
MAX_PLAINTEXT = 2 ** 14
OVERHEAD = 1 + 16
#: The encrypted part of the server's first flight: EncryptedExtensions, a certificate chain
#: of one ~800-octet certificate, CertificateVerify and Finished (sizes as a typical server).
SERVER_ENCRYPTED_FLIGHT = 6 + 820 + 264 + 36
#: The client's Finished (RFC 8446 §4.4.4: a 32-octet HMAC plus the handshake header).
CLIENT_FINISHED = 36

TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 = (
    0x1301, 0x1302, 0x1303)
X25519 = 0x001D
TLS13 = 0x0304


@dataclass(frozen=True)
class Record:
    """One TLS record as it travels: ``kind`` is ``handshake``, ``change_cipher_spec``
    or ``application_data``; ``plain`` is how many octets of the trace's plain text it
    carries (0 for the handshake)."""

    direction: str          # "c2s" or "s2c"
    kind: str
    data: bytes             # the whole record, header included
    plain: int = 0

    @property
    def content_type(self) -> int:
        return self.data[0]

    @property
    def length(self) -> int:
        """The length field of the record header: what an observer reads."""
        return struct.unpack("!H", self.data[3:5])[0]


def pseudo_random(label: str, size: int) -> bytes:
    """``size`` octets that look random and are the same for the same label."""
    return hashlib.shake_256(label.encode("utf-8")).digest(size)


def _record(content_type: int, body: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(body)) + body


def _vector(body: bytes, width: int) -> bytes:
    """A TLS vector: the length in ``width`` octets, then the octets (RFC 8446 §3.4)."""
    return len(body).to_bytes(width, "big") + body


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!H", kind) + _vector(body, 2)


def _handshake_message(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _vector(body, 3)


def client_hello(server_name: str | None, label: str) -> bytes:
    """A TLS 1.3 ClientHello record (RFC 8446 §4.1.2) naming ``server_name`` (SNI)."""
    extensions = b""
    if server_name:
        name = server_name.encode("idna") if not server_name.isascii() else server_name.encode()
        entry = b"\x00" + _vector(name, 2)                       # host_name(0)
        extensions += _extension(0, _vector(entry, 2))           # server_name, RFC 6066 §3
    extensions += _extension(10, _vector(struct.pack("!H", X25519), 2))   # supported_groups
    extensions += _extension(13, _vector(struct.pack("!HHH", 0x0403, 0x0804, 0x0401), 2))
    extensions += _extension(43, _vector(struct.pack("!H", TLS13), 1))    # supported_versions
    key_share = struct.pack("!H", X25519) + _vector(pseudo_random(label + "/ckey", 32), 2)
    extensions += _extension(51, _vector(key_share, 2))                  # key_share
    extensions += _extension(45, _vector(b"\x01", 1))                    # psk_dhe_ke
    suites = struct.pack("!HHH", TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
                         TLS_CHACHA20_POLY1305_SHA256)
    body = (struct.pack("!H", 0x0303) + pseudo_random(label + "/crandom", 32)
            + _vector(pseudo_random(label + "/session", 32), 1) + _vector(suites, 2)
            + _vector(b"\x00", 1) + _vector(extensions, 2))
    return _record(HANDSHAKE, _handshake_message(1, body), version=0x0301)


def server_hello(label: str) -> bytes:
    """The ServerHello record (RFC 8446 §4.1.3) choosing TLS 1.3 and X25519."""
    extensions = (_extension(43, struct.pack("!H", TLS13))
                  + _extension(51, struct.pack("!H", X25519)
                               + _vector(pseudo_random(label + "/skey", 32), 2)))
    body = (struct.pack("!H", 0x0303) + pseudo_random(label + "/srandom", 32)
            + _vector(pseudo_random(label + "/session", 32), 1)
            + struct.pack("!HB", TLS_AES_128_GCM_SHA256, 0) + _vector(extensions, 2))
    return _record(HANDSHAKE, _handshake_message(2, body))


def _change_cipher_spec() -> bytes:
    return _record(CHANGE_CIPHER_SPEC, b"\x01")


def _sealed(plain_size: int, label: str) -> bytes:
    return _record(APPLICATION_DATA, pseudo_random(label, plain_size + OVERHEAD))


def handshake(server_name: str | None, label: str) -> list[Record]:
    """The records of a full TLS 1.3 handshake, in the order they travel."""
    return [Record("c2s", "handshake", client_hello(server_name, label)),
            Record("s2c", "handshake", server_hello(label)),
            Record("s2c", "change_cipher_spec", _change_cipher_spec()),
            Record("s2c", "application_data",
                   _sealed(SERVER_ENCRYPTED_FLIGHT, label + "/server-flight")),
            Record("c2s", "change_cipher_spec", _change_cipher_spec()),
            Record("c2s", "application_data", _sealed(CLIENT_FINISHED, label + "/finished"))]


def seal(direction: str, plain: bytes, label: str) -> list[Record]:
    """The application-data records that carry ``plain`` (RFC 8446 §5.2)."""
    records = []
    for start in range(0, len(plain), MAX_PLAINTEXT):
        size = len(plain[start:start + MAX_PLAINTEXT])
        records.append(Record(direction, "application_data",
                              _sealed(size, f"{label}/{start}"), plain=size))
    return records
