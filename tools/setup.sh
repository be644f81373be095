#!/usr/bin/env bash
# Make this checkout ready to use: the one "ensure setup" step behind `make lab` and `make test`.
#
#   tools/setup.sh            .venv with the package (editable) and its dev tools, plus graphviz `dot`
#                             and bubblewrap (the grader's sandbox)
#   tools/setup.sh --browser  the same, plus Debian's chromium for the JupyterLab browser test
#
# Safe to run again and again: each step does nothing when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
STAMP="$VENV/.stamp"

say() { printf '[setup] %s\n' "$*"; }
is_root() { [ "$(id -u)" = "0" ]; }

APT_UPDATED=0
apt_install() {
    # apt-get install as root, with `apt-get update` once per run (a fresh machine has no lists).
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi
    # Re-install only when pyproject.toml changed since the last successful install.
    if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
        say "pip install -e '.[dev,grading]' (a few minutes the first time)"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e '.[dev,grading]'
        touch "$STAMP"
    fi
}

ensure_dot() {
    # The graphviz Python package only writes DOT text; drawing it needs the `dot` program.
    command -v dot >/dev/null 2>&1 && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        apt_install graphviz
        command -v dot >/dev/null 2>&1 && return 0
    fi
    cat >&2 <<'MSG'
[setup] The graphviz program `dot` is not installed (the course draws autograd graphs with it).
        Install it, then run this command again:
          Debian/Ubuntu:  sudo apt-get install graphviz
          macOS:          brew install graphviz
          conda/mamba:    conda install -c conda-forge graphviz
MSG
    exit 1
}

ensure_bwrap() {
    # The grader runs each submission in a bubblewrap sandbox (see `tinygrad-edu doctor`).
    # Without it grading still works, with a weaker fallback, so this never stops setup.
    command -v bwrap >/dev/null 2>&1 && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        apt_install bubblewrap || say "could not install bubblewrap; grading falls back to a weaker sandbox"
    else
        say "bubblewrap (bwrap) not found and not root: grading will use a weaker sandbox." \
            "To grade a class safely, install it: sudo apt-get install bubblewrap" \
            "(Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap)"
    fi
}

ensure_chromium() {
    # Optional: only the browser test needs it, and it skips itself (outside CI) when it is missing.
    # Never `playwright install`: it downloads a browser from outside the package registries.
    if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if is_root && command -v apt-get >/dev/null 2>&1; then
        apt_install chromium || say "could not install chromium; the browser test will skip"
    else
        say "chromium not found and not root: the browser test will skip" \
            "(install it with: sudo apt-get install chromium)"
    fi
}

ensure_venv
ensure_dot
ensure_bwrap
if [ "${1:-}" = "--browser" ]; then
    ensure_chromium
fi
