"""mailsim: an educational, interactive simulator of the e-mail protocols.

Layers (dependencies point one way, see docs/architecture.md):
``protocols`` (sans-IO engines) ← ``mail`` (message store, MIME) ← ``scenarios`` ←
``network`` (the simulated network) ← ``server`` (real sockets) and the views of a
trace (``widgets``, ``plots``, the ``mailsim`` CLI and its terminal replay).
"""
__version__ = "0.1.0"
