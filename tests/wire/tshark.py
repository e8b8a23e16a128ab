"""Running tshark on a pcap and reading its ``-z follow`` and ``-z expert`` output."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (.ci/run "
                                  "installs Debian's tshark)")
RULE = b"=" * 67


def run(path, *args: str) -> subprocess.CompletedProcess:
    out = subprocess.run([TSHARK, "-n", "-r", str(path), *args], check=False,
                         capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr.decode(errors="replace")
    return out


def complaints(out: subprocess.CompletedProcess) -> list[str]:
    """What tshark said on stderr, but its note about running as root."""
    return [line for line in out.stderr.decode(errors="replace").splitlines()
            if line.strip() and "could be dangerous" not in line]


def expert_levels(stdout: bytes) -> set[str]:
    """The severities of ``-z expert``'s sections: Errors, Warnings, Notes, Chats."""
    return {m.group(1).decode() for m in re.finditer(rb"^(\w+) \(\d+\)$", stdout, re.MULTILINE)}


def follows(stdout: bytes) -> dict[tuple[str, int], dict]:
    """(mode, stream) → {"nodes": [client, server], "chunks": [(node, octets), ...]}."""
    found = {}
    for section in stdout.split(RULE):
        head = re.match(rb"\s*Follow: tcp,(\w+)\nFilter: tcp.stream eq (\d+)\n"
                        rb"Node 0: (\S+)\nNode 1: (\S+)\n", section)
        if not head:
            continue
        mode, body = head.group(1).decode(), section[head.end():]
        chunks = _raw(body) if mode == "raw" else _ascii(body)
        found[(mode, int(head.group(2)))] = {
            "nodes": [head.group(3).decode(), head.group(4).decode()], "chunks": chunks}
    return found


def _raw(body: bytes) -> list[tuple[int, bytes]]:
    return [(1 if line.startswith(b"\t") else 0, bytes.fromhex(line.strip().decode()))
            for line in body.split(b"\n") if line.strip()]


def _ascii(body: bytes) -> list[tuple[int, bytes]]:
    chunks, at = [], 0
    while True:
        count = re.compile(rb"(\t?)(\d+)\n").match(body, at)
        if not count:
            return chunks
        start = count.end()
        size = int(count.group(2))
        chunks.append((1 if count.group(1) else 0, body[start:start + size]))
        at = start + size + 1


def as_ascii(data: bytes) -> bytes:
    """What ``follow,tcp,ascii`` prints for ``data``: non-printable octets become dots."""
    return bytes(b if 32 <= b < 127 or b in (10, 13) else 46 for b in data)
