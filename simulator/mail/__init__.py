"""Mail: the message store, MIME helpers and DSNs on the stdlib ``email`` package."""
from simulator.mail.dsn import build_dsn
from simulator.mail.mime import (
    body_text,
    compose,
    mime_tree,
    parse,
    prepend_header,
    received_header,
    summary,
)
from simulator.mail.store import (
    Account,
    Folder,
    MailStore,
    NoSuchFolder,
    NoSuchUser,
    StoredMessage,
    StoreError,
)

__all__ = [
    "Account",
    "Folder",
    "MailStore",
    "NoSuchFolder",
    "NoSuchUser",
    "StoreError",
    "StoredMessage",
    "body_text",
    "build_dsn",
    "compose",
    "mime_tree",
    "parse",
    "prepend_header",
    "received_header",
    "summary",
]
