"""curl (smtp://, pop3://, imap://, imaps:// with -k) against ``mailsim serve``."""
import shutil
import subprocess

import pytest

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="curl is not installed (.ci/run installs it)")
MESSAGE = "From: student@example.test\r\nSubject: curl\r\n\r\nПривет через curl\r\n".encode()


def curl(*args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run([CURL, "-sS", "-k", "--max-time", "10", *args], input=data,
                          capture_output=True, check=True)
    return done.stdout


def test_curl_sends_and_reads_by_pop3_imap_and_imaps(live):
    port = live.settings
    curl(f"smtp://127.0.0.1:{port['submission']}", "--ssl-reqd", "--user", "student:student",
         "--mail-from", "student@example.test", "--mail-rcpt", "teacher@example.test",
         "--upload-file", "-", data=MESSAGE)
    by_pop3 = curl(f"pop3://127.0.0.1:{port['pop3']}/1", "--ssl-reqd", "--user",
                   "teacher:teacher")
    by_imap = curl(f"imap://127.0.0.1:{port['imap']}/INBOX;UID=1", "--ssl-reqd", "--user",
                   "teacher@example.test:teacher")
    by_imaps = curl(f"imaps://127.0.0.1:{port['imaps']}/INBOX;UID=1", "--user",
                    "teacher:teacher")
    assert by_pop3.endswith(MESSAGE)
    assert by_imap == by_imaps and by_imap.endswith(MESSAGE)
