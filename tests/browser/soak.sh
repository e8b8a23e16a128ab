#!/usr/bin/env bash
# Each browser test RUNS times in a row (default 10) while the rest of the suite runs
# alongside as load (issue 10: a flaky browser test is a bug).  Each browser test *file* is
# run RUNS times in a row, so every test in it runs RUNS times, with a fresh server each time
# (one Voilà server per run of test_voila.py, as in the suite).  Stops at the first failure;
# exit status 0 only when every run passed.  Logs go to test-artifacts/soak/.
#   tests/browser/soak.sh [RUNS]        (make soak)
set -uo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
RUNS=${1:-10}
LOGS=test-artifacts/soak
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$LOGS"

# The load: the rest of the suite, over and over, in its own process group so that it can
# be stopped as a whole when the browser runs are over (bounded: at most RUNS rounds).
setsid bash -c "for i in \$(seq 1 $RUNS); do
    '$PYTHON' -m pytest -q -p no:cacheprovider --ignore=tests/browser >'$LOGS/load-'\$i.log 2>&1
  done" &
LOAD=$!
trap 'kill -TERM -- -"$LOAD" 2>/dev/null; wait "$LOAD" 2>/dev/null' EXIT

mapfile -t TESTS < <(ls tests/browser/test_*.py)
if [ "${#TESTS[@]}" -eq 0 ]; then
  echo "soak: no browser test files in tests/browser" >&2
  exit 1
fi
for test in "${TESTS[@]}"; do
  name=$(echo "$test" | tr -c 'A-Za-z0-9_.-' '_')
  for run in $(seq 1 "$RUNS"); do
    start=$(date +%s)
    # No -q of our own: with the project's addopts (-q) pytest still prints "N passed".
    if ! "$PYTHON" -m pytest -p no:cacheprovider -x "$test" >"$LOGS/$name-$run.log" 2>&1; then
      echo "soak: FAILED $test on run $run of $RUNS (log: $LOGS/$name-$run.log)"
      tail -30 "$LOGS/$name-$run.log"
      exit 1
    fi
    if grep -q "skipped" "$LOGS/$name-$run.log"; then
      echo "soak: a test of $test was skipped (no Chromium? no playwright?)" >&2
      exit 1
    fi
    echo "soak: $test run $run/$RUNS: $(grep -Eo '[0-9]+ passed' "$LOGS/$name-$run.log") in $(( $(date +%s) - start )) s"
  done
done
echo "soak: every browser test passed $RUNS times in a row under load"
