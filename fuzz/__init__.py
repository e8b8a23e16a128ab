"""mailsim's fuzzing tools (test tooling, not part of the simulator package).

- :mod:`.grammar`: command lines drawn from each protocol's grammar and state table;
- :mod:`.mutate`: byte-level mutations and random splits of a stream;
- :mod:`.replies`: what a server may say, checked the way a strict client reads it;
- :mod:`.wire_models`: a client's view of each protocol over a socket;
- :mod:`.socket_fuzzer`: ``make fuzz`` / ``python -m fuzz`` against ``mailsim serve``.

The hypothesis tests in ``tests/fuzz`` drive the sans-IO engines with the first three.
"""
