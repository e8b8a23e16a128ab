"""``python -m fuzz``: the socket fuzzer against ``mailsim serve`` (see :mod:`.socket_fuzzer`)."""
import sys

from .socket_fuzzer import main

sys.exit(main())
