"""POP2 events: the POP3 ones that mean the same thing, plus folder selection."""
from __future__ import annotations

from dataclasses import dataclass

from .._base import Event
from ..pop3.events import (
    Authenticated,
    AuthenticationFailed,
    CommandReceived,
    ConnectionClosed,
    DeletionMarked,
    MaildropUpdated,
    MessageDownloaded,
    MessageSent,
    ReplyReceived,
)


@dataclass(slots=True)
class FolderSelected(Event):
    """Server: HELO or FOLD selected a mailbox holding ``count`` messages."""

    folder: str
    count: int


__all__ = ["Authenticated", "AuthenticationFailed", "CommandReceived", "ConnectionClosed",
           "DeletionMarked", "FolderSelected", "MaildropUpdated", "MessageDownloaded",
           "MessageSent", "ReplyReceived"]
