# shellcheck shell=bash
# Sourced by scripts/test, scripts/develop, scripts/lint and scripts/bench.
# Makes sure this checkout has: a Python >= 3.14, a .venv with the pinned packages (.venv-min with
# the minimum supported Home Assistant, for scripts/test), and Mosquitto.
# A second run does no install work: packages are reinstalled only when the requirement files change.
# The aionavilink library (./aionavilink) is installed editable, so every run uses the working tree.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
VENV_MIN="$ROOT/.venv-min"
say() { printf '\033[1m[navilink]\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

py_ok() { "$1" -c 'import sys, ssl, sqlite3; sys.exit(0 if sys.version_info >= (3, 14) else 1)' >/dev/null 2>&1; }

find_python() {
  # Home Assistant >= 2026.3 needs Python 3.14. Looked for, in order: $PYTHON, PATH, pyenv, uv.
  local c p
  if [ -n "${PYTHON:-}" ]; then
    p=$(command -v "$PYTHON" 2>/dev/null) || die "PYTHON=$PYTHON is not an executable"
    py_ok "$p" || die "PYTHON=$PYTHON is not Python >= 3.14 with ssl and sqlite3, which Home Assistant needs"
    echo "$p"; return
  fi
  for c in python3.14 python3.15 python3; do
    p=$(command -v "$c" 2>/dev/null) || continue
    if py_ok "$p"; then echo "$p"; return; fi
  done
  for p in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[4-9]*/bin/python3 2>/dev/null | sort -rV); do
    if py_ok "$p"; then echo "$p"; return; fi
  done
  if command -v uv >/dev/null 2>&1 && p=$(uv python find 3.14 2>/dev/null) && py_ok "$p"; then
    echo "$p"; return
  fi
  local hint="install Python 3.14 (python.org, pyenv install 3.14, or uv python install 3.14) and run again"
  [ -x "$ROOT/../shared/tools/ensure-python314" ] && hint="run: PYTHON=\$(../shared/tools/ensure-python314) $0"
  die "no Python 3.14 found on PATH, in pyenv or with uv (Home Assistant needs it); $hint"
}

make_venv() {
  # make_venv DIR REQUIREMENTS [EXTRA...]: DIR is a venv with the REQUIREMENTS file and the EXTRA
  # requirements installed, and ./aionavilink editable; reinstalled only when they (or either
  # pyproject.toml) change.
  local dir=$1 req=$2 name py want have
  shift 2
  name=$(basename "$dir")
  if [ -x "$dir/bin/python" ] && py_ok "$dir/bin/python"; then
    py="$dir/bin/python"
  else
    py=$(find_python)
    say "creating $name with $py ($("$py" -V))"
    rm -rf "$dir"
    "$py" -m venv "$dir"
  fi
  want=$( (cat "$req" "$ROOT/pyproject.toml" "$ROOT/aionavilink/pyproject.toml"; [ $# -eq 0 ] || printf '%s\n' "$@") | sha256sum | cut -d' ' -f1)
  have=$(cat "$dir/.requirements.sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    say "installing $(basename "$req")${1:+ and $*} into $name (about a minute, once)"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip > /dev/null 2>&1 || true
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$req" "$@" > "$dir/pip-install.log" 2>&1 \
      || { tail -30 "$dir/pip-install.log" >&2; die "pip install failed (full log: $name/pip-install.log)"; }
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT/aionavilink" >> "$dir/pip-install.log" 2>&1 \
      || { tail -30 "$dir/pip-install.log" >&2; die "pip install -e aionavilink failed (full log: $name/pip-install.log)"; }
    echo "$want" > "$dir/.requirements.sha256"
  fi
}

ensure_venv() {
  # .venv: the pinned test and development environment; its bin/ goes first on PATH.
  make_venv "$VENV" "$ROOT/requirements_test.txt"
  export PATH="$VENV/bin:$PATH"
}

ensure_min_venv() {
  # .venv-min: the minimum supported Home Assistant (requirements_test_min.txt). PATH unchanged.
  make_venv "$VENV_MIN" "$ROOT/requirements_test_min.txt"
}

ensure_hass_packages() {
  # ensure_hass_packages VENV: Home Assistant's own requirements for the integrations the dev
  # config loads (the frontend, ...) and those it always sets up, installed once, so that
  # Home Assistant can run with --skip-pip (no network at run time). scripts/develop and
  # scripts/bench (whose hass sets up the same always-on integrations) both need them.
  local venv=$1 want missing
  want=$( (cat "$ROOT/config/configuration.yaml" "$ROOT/custom_components/navilink/manifest.json" "$ROOT/scripts/_develop.py"; python -c 'import homeassistant.const as c; print(c.__version__)') | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$venv/.develop-requirements.sha256" 2>/dev/null || true)" != "$want" ]; then
    missing=$(python "$ROOT/scripts/_develop.py" requirements)
    if [ -n "$missing" ]; then
      say "installing Home Assistant's packages for the dev config (once): $(echo $missing)"
      # shellcheck disable=SC2086
      python -m pip install -q --disable-pip-version-check $missing > "$venv/pip-develop.log" 2>&1 \
        || { tail -30 "$venv/pip-develop.log" >&2; die "pip install failed (full log: $(basename "$venv")/pip-develop.log)"; }
    fi
    echo "$want" > "$venv/.develop-requirements.sha256"
  fi
}

find_mosquitto() {
  local p
  for p in "${MOSQUITTO:-}" "$(command -v mosquitto 2>/dev/null || true)" /usr/sbin/mosquitto /usr/local/sbin/mosquitto; do
    [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

ensure_mosquitto() {
  local p
  if ! p=$(find_mosquitto); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Mosquitto with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto >&2
      p=$(find_mosquitto) || die "apt-get installed mosquitto but no binary was found"
    else
      die "Mosquitto is missing: install it (Debian/Ubuntu: sudo apt-get install mosquitto), or set MOSQUITTO=/path/to/mosquitto"
    fi
  fi
  export MOSQUITTO="$p"
}

ensure_chromium() {
  # Only the browser test needs it; failing to get it makes that test skip with the reason.
  if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser test (once)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2 \
        || say "could not install chromium: the browser test will be skipped"
    fi
  fi
}

cd "$ROOT"
