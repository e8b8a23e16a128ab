"""`make bench` keeps working (its figures are printed, never asserted)."""
import subprocess
import sys


def test_quick_benchmark_prints_its_table():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], capture_output=True,
                         text=True, timeout=300, check=True)
    assert "messages/s" in out.stdout and "steps/s" in out.stdout
