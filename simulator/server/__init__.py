"""``mailsim serve``: the simulator's servers on loopback for real mail clients.

The only package that touches sockets or asyncio (docs/architecture.md, "Layers").  The engines
answer exactly as in the simulated network; the network itself runs on the
wall clock (:mod:`.clock`) so that mail a student submits is relayed, retried
and bounced by the same MTA code.

- :class:`MailServer` / :class:`ServeOptions` (:mod:`.app`): start and stop;
- :func:`serve_in_background` (:mod:`.background`): the same in a thread, for notebooks;
- :mod:`.banner`: what listens where and the settings a student types in.
"""
from .app import DEFAULT_HOST, DEFAULT_OFFSET, Listening, MailServer, ServeOptions
from .background import LiveServer, serve_in_background

__all__ = ["DEFAULT_HOST", "DEFAULT_OFFSET", "Listening", "LiveServer", "MailServer",
           "ServeOptions", "serve_in_background"]
