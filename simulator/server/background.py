"""The servers in a background thread, for a notebook that watches the live trace.

    with simulator.server.serve_in_background(port_offset=20000) as live:
        ...                      # point smtplib / Thunderbird at live.settings
        live.trace               # grows while clients talk (the newest 10,000 steps)
        TracePlayer(live.trace.snapshot())   # step through what is in memory now

The thread runs its own asyncio loop, so the notebook's kernel stays free.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager

from .app import MailServer, ServeOptions
from .loops import loop_factory


class LiveServer:
    """A MailServer running in a daemon thread; ``stop()`` ends it."""

    def __init__(self, options: ServeOptions) -> None:
        self.server = MailServer(options)
        self._loop = loop_factory(options.loop)()
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mailsim-serve", daemon=True)

    def start(self, timeout: float = 30.0) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("mailsim serve did not start in time")
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stopped = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:      # noqa: BLE001 - re-raised in the caller's thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stopped.wait()
        await self.server.stop()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the listeners and the thread (safe to call twice)."""
        if self._thread.is_alive() and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(timeout)

    def call(self, func, *args):
        """Run ``func(*args)`` on the server's loop and return its result (thread-safe)."""
        async def run():
            return func(*args)
        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    @property
    def trace(self):
        return self.server.world.trace

    @property
    def world(self):
        return self.server.world

    @property
    def settings(self) -> dict[str, int]:
        """Service name -> port, e.g. {'submission': 10587, 'imap': 10143, …}."""
        return {item.name: item.port for item in self.server.listening}

    @property
    def listening(self):
        return list(self.server.listening)


@contextmanager
def serve_in_background(scenario: str = "classroom", **options):
    """Start ``mailsim serve`` in a thread for the ``with`` block; options as ServeOptions."""
    live = LiveServer(ServeOptions(scenario=scenario, **options)).start()
    try:
        yield live
    finally:
        live.stop()
