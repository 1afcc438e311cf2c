# Shared by .ci/setup, .ci/test, .ci/demo and .ci/run. Sourced, not run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${HROHUDDLE_VENV:-$ROOT/.venv}

# Debian packages Qt needs offscreen (tests), and in a real window (the app).
QT_LIBS_OFFSCREEN="libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0"
QT_LIBS_WINDOW="libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Install the Debian packages named in "$@" that are missing, or say exactly which.
need_debian() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: make sure the Qt 6 system libraries are installed"; return 0; }
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      say "missing system packages: ${missing[*]}"
      echo "Install them with:  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
  say "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A virtual environment with HRO Huddle and its test tools.
python_env() {
  local py=${PYTHON:-python3}
  command -v "$py" >/dev/null 2>&1 || { echo "Python 3.11 or newer is needed (python3 not found)." >&2; exit 1; }
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed; found $("$py" --version)." >&2; exit 1; }
  if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then need_debian python3-venv; fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating a virtual environment in $VENV"
    "$py" -m venv "$VENV"
  fi
  local stamp="$VENV/.hrohuddle-installed"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    say "installing HRO Huddle and its dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT[test]"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# Tell the truth about Qt's platform plugins (Qt's own message blames xcb-cursor).
check_qt() {
  local platform=${1:-offscreen}
  local dir
  dir=$("$VENV/bin/python" -c 'import PySide6, os; print(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "plugins", "platforms"))')
  local plugin="$dir/libq${platform}.so"
  [ -f "$plugin" ] || return 0
  local missing
  missing=$(ldd "$plugin" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "Qt's $platform plugin cannot load; these libraries are missing: $missing" >&2
    exit 1
  fi
}
