"""Mail: the message store and MIME helpers on the stdlib ``email`` package."""
from simulator.mail.mime import (
    body_text,
    build_dsn,
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
