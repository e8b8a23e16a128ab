"""The lines the socket driver itself says, in each protocol's own words.

The engines answer every command; these few lines are the server's when no
engine can: too many connections, the server shutting down, and the last
resort when an engine fails on a command (a bug of ours, never the client's).
The text on the wire is English like every reply; the trace explains it in
ru/en (``serve.explain.*``).
"""
from __future__ import annotations

import re

#: "Too busy, come back later": RFC 5321 §3.8 (421), RFC 2449 §8.1.2 ([SYS/TEMP]),
#: RFC 9051 §7.1.5 (BYE), RFC 937 ("-" is POP2's negative reply).
BUSY = {
    "SMTP": b"421 4.3.2 Too many connections, try again later\r\n",
    "POP3": b"-ERR [SYS/TEMP] Too many connections, try again later\r\n",
    "IMAP": b"* BYE Too many connections, try again later\r\n",
    "POP2": b"- Too many connections, try again later\r\n",
    "HTTP": b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n",
    "FTP": b"421 Too many connections, try again later\r\n",          # RFC 959 §4.2
}

#: The server is stopping: the same codes, so a client knows to come back (RFC 5321 §3.8:
#: "421 ... Service not available, closing transmission channel").
SHUTDOWN = {
    "SMTP": b"421 4.3.2 Server shutting down, try again later\r\n",
    "POP3": b"-ERR [SYS/TEMP] Server shutting down, try again later\r\n",
    "IMAP": b"* BYE Server shutting down, try again later\r\n",
    "POP2": b"- Server shutting down, try again later\r\n",
    "HTTP": b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n",
    "FTP": b"421 Server shutting down, try again later\r\n",
}

_FAULT_TEXT = "Internal error in the simulator, command not processed"
#: A tag: ASTRING-CHARs except "+" (RFC 9051 §9: no CTL, SP, ( ) { % * " backslash +).
_IMAP_TAG = re.compile(rb'([^\x00-\x20\x7f(){%*"\\+]+) ')


def fault_reply(protocol: str, line: bytes, *, last: bool) -> bytes:
    """The answer to a command an engine failed on; ``last`` when the server hangs up after it.

    SMTP 500 / 421 (RFC 5321 §4.2.2, §3.8); POP3 ``-ERR [SYS/PERM]`` (RFC 3206 §4);
    POP2 ``-``; IMAP ``BAD [SERVERBUG]`` with the command's tag, ``* BYE`` to hang up
    (RFC 5530 §3, RFC 9051 §7.1.3); FTP 451 "local error in processing" / 421 (RFC 959 §4.2).
    """
    if protocol == "SMTP":
        return f"{'421 4.3.0' if last else '500 5.3.0'} {_FAULT_TEXT}\r\n".encode()
    if protocol == "POP3":
        return f"-ERR [SYS/PERM] {_FAULT_TEXT}\r\n".encode()
    if protocol == "POP2":
        return f"- {_FAULT_TEXT}\r\n".encode()
    if protocol == "FTP":
        return f"{'421' if last else '451'} {_FAULT_TEXT}\r\n".encode()
    if protocol == "HTTP":          # RFC 9110 §15.6.1
        return (f"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(_FAULT_TEXT)}\r\nConnection: close\r\n\r\n"
                f"{_FAULT_TEXT}").encode()
    match = _IMAP_TAG.match(line)
    tag = match.group(1).decode("ascii") if match and not last else "*"
    status = "BYE" if last else "BAD"
    return f"{tag} {status} [SERVERBUG] {_FAULT_TEXT}\r\n".encode()
