"""DESIGN.md §1: the engines stay sans-IO and dependencies point one way."""
import subprocess
import sys

import pytest

FORBIDDEN = ("asyncio", "socket", "ipywidgets", "matplotlib")


@pytest.mark.parametrize("package", ["simulator.protocols", "simulator.protocols.smtp",
                                     "simulator.protocols.pop3", "simulator.protocols.pop2",
                                     "simulator.protocols.imap"])
def test_engines_load_no_io_or_gui_modules(package):
    code = (f"import sys, importlib; importlib.import_module({package!r}); "
            f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_trace_and_network_do_not_load_widgets():
    code = ("import sys, simulator.network, simulator.trace; "
            "print(','.join(m for m in ('ipywidgets', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
