"""Sans-IO protocol engines: bytes in, events and bytes out.

Nothing in this package opens a socket, sleeps, reads the wall clock or
imports asyncio or ipywidgets; the same engine answers in the simulated
network, in the step-by-step replay and on a real loopback socket.
"""
