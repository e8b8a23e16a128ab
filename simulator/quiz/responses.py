"""Signed response files of an exam (``docs/quizzes.md``, "Two modes").

A student's answers travel as JSON ``{bank, student, responses, signature}``.
The signature is HMAC-SHA256 over the canonical JSON of everything else
(sorted keys, no spaces, UTF-8), keyed with a key derived from the course
secret and the student id, so one student's file cannot be edited, nor passed
off as another student's, without the course secret.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

FIELDS = ("bank", "student", "responses")


class ResponseError(ValueError):
    """A response file that cannot be graded; ``code`` names a ``quiz.responses.*`` text."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def student_key(secret: bytes | str, student: str) -> bytes:
    """The signing key of one student: HMAC-SHA256(secret, "responses\\0" + student)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    return hmac.new(key, b"responses\0" + student.encode("utf-8"), hashlib.sha256).digest()


def canonical(document: Mapping[str, Any]) -> bytes:
    """The signed bytes: the document without its signature, as canonical JSON."""
    body = {k: document[k] for k in FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def sign_with_key(bank: str, student: str, responses: Mapping[str, Any],
                  key: bytes | str) -> dict[str, Any]:
    """The response document, signed with the student's own key (bytes, or its hex as an
    exam bundle carries it)."""
    key = bytes.fromhex(key) if isinstance(key, str) else key
    document = {"bank": bank, "student": student, "responses": dict(responses)}
    digest = hmac.new(key, canonical(document), hashlib.sha256)
    return {**document, "signature": digest.hexdigest()}


def sign(bank: str, student: str, responses: Mapping[str, Any],
         secret: bytes | str) -> dict[str, Any]:
    """The response document for ``student``, signed with the key the course secret gives."""
    return sign_with_key(bank, student, responses, student_key(secret, student))


def save_responses(bank: str, student: str, responses: Mapping[str, Any], key: str,
                   path: str | None = None) -> str:
    """Write the signed responses of an exam bundle to ``path`` (default
    ``responses-<student>.json``) and return the path; the bundle's last cell calls it."""
    path = path or f"responses-{student}.json"
    document = sign_with_key(bank, student, responses, key)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return path


def verify(document: Any, secret: bytes | str) -> dict[str, Any]:
    """The document if its shape and signature are right; ResponseError otherwise."""
    if not isinstance(document, dict):
        raise ResponseError("not_object")
    missing = [k for k in (*FIELDS, "signature") if k not in document]
    if missing:
        raise ResponseError("missing", fields=", ".join(missing))
    if not isinstance(document["student"], str) or not isinstance(document["bank"], str) \
            or not isinstance(document["responses"], dict) \
            or not isinstance(document["signature"], str):
        raise ResponseError("shape")
    expected = hmac.new(student_key(secret, document["student"]), canonical(document),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, document["signature"]):
        raise ResponseError("signature", student=document["student"])
    return document
