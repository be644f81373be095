#!/usr/bin/env bash
# Run every test: the plain test suite (tests/), then every notebook under notebooks/,
# solutions/ and exercises/ with nbval. Fails when either run fails. Called by `make test`
# after tools/setup.sh; extra arguments go to both pytest runs.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=".venv/bin/python"
export MPLBACKEND=Agg                                   # no windows from matplotlib
export CUPY_CACHE_DIR="${CUPY_CACHE_DIR:-${TMPDIR:-/tmp}/tinygrad_edu_cupy_cache}"
export PYTHONDONTWRITEBYTECODE=1

say() { printf '[test] %s\n' "$*"; }

say "unit tests: pytest tests"
"$PY" -m pytest -n 2 --dist loadfile tests "$@"
unit=$?

# Notebook folders may be missing or empty while the course is being written.
folders=()
for d in notebooks solutions exercises; do
    [ -d "$d" ] && folders+=("$d")
done

nb=0
if [ "${#folders[@]}" -eq 0 ]; then
    say "no notebook folders yet: skipping the notebook run"
else
    say "notebooks: pytest --nbval-lax ${folders[*]}"
    "$PY" -m pytest -n 2 --dist loadfile \
        --nbval-lax --nbval-current-env --nbval-cell-timeout=120 \
        "${folders[@]}" "$@"
    nb=$?
    if [ "$nb" -eq 5 ]; then
        say "no notebooks collected yet: that is fine"
        nb=0
    fi
fi

say "unit tests exit code: $unit, notebooks exit code: $nb"
[ "$unit" -eq 0 ] && [ "$nb" -eq 0 ]
