"""``python -m simulator`` is the ``mailsim`` command."""
from simulator.cli import main

raise SystemExit(main())
