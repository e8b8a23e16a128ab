"""IMAP on the served host: the engine, one shared MailboxHub, and wake-ups.

Several IMAP sessions on one mailbox share a :class:`MailboxHub` (RFC 3501
§5.2): a change made by one session, or a message the MDA delivers, wakes
the sessions in IDLE (RFC 2177) so that their untagged EXISTS / FETCH go out
at once.  The hub calls back into sessions; this module finds the socket
driver of a woken session so that its bytes are written.
"""
from __future__ import annotations

from typing import Any


class ImapSide:
    """The IMAP backend, hub and drivers of one World."""

    def __init__(self, world, imap_module, backend_class) -> None:
        self.world = world
        self._imap = imap_module
        self.backend = backend_class(world.net.store)
        self.hub = imap_module.MailboxHub()
        self.hub.listeners.append(self._woken)
        self._drivers: dict[int, Any] = {}
        self._hook_delivery(world.net)

    @classmethod
    def create(cls, world) -> ImapSide | None:
        """None while the IMAP engine cannot be imported (the hook for a missing engine)."""
        try:
            from ..mail.imap_backend import StoreBackend
            from ..protocols import imap
        except ImportError:
            return None
        return cls(world, imap, StoreBackend)

    def config(self, *, starttls: bool, login_requires_tls: bool):
        host = self.world.host.name.lower()
        return self._imap.IMAPConfig(hostname=host, starttls=starttls,
                                     login_requires_tls=login_requires_tls)

    def engine(self, config, conn_id: str):
        return self._imap.IMAPServer(config, self.backend, self.hub,
                                     session_id=f"{config.hostname}/{conn_id}")

    # -- drivers of sessions that the hub may wake ------------------------------
    def attach(self, engine, driver) -> None:
        self._drivers[id(engine)] = driver

    def detach(self, engine) -> None:
        self._drivers.pop(id(engine), None)

    def _woken(self, key: str, session) -> None:
        driver = self._drivers.get(id(session))
        if driver is not None:
            driver.pushed()

    def _hook_delivery(self, net) -> None:
        """After each MDA delivery, tell the hub that the folder grew (RFC 2177 IDLE push).

        The network calls its mailbox watchers after every delivery; no method of
        it is replaced, so its nodes, which hold its context, see the same MDA.
        """
        def delivered(address: str, folder: str) -> None:
            if self.hub.watched:        # else there is nobody to wake (and no key to make)
                self.hub.notify(f"{net.store.account(address).address}/{folder}")
        net.mailbox_watchers.append(delivered)
