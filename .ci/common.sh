# Shared by .ci/setup, .ci/test, .ci/demo, .ci/postgres and .ci/run. Sourced, not run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${HROHUDDLE_VENV:-$ROOT/.venv}
# root's PATH after a plain `su`, or cron's, lacks the sbin folders (runuser, ldconfig).
for d in /usr/local/sbin /usr/sbin /sbin; do
  case ":$PATH:" in *":$d:"*) ;; *) [ -d "$d" ] && PATH="$PATH:$d" ;; esac
done
export PATH

# Debian packages Qt needs offscreen (tests), and in a real window (the app). Each is
# checked by what provides it, so renamed packages (Debian 13's and Ubuntu 24.04's
# libglib2.0-0t64) count as installed, and apt picks the provider when installing.
QT_LIBS_OFFSCREEN="libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0"
QT_LIBS_WINDOW="libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0"
APT_LOCK_WAIT=${HROHUDDLE_APT_LOCK_WAIT:-600}  # seconds: a fresh VM may still run its upgrades

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installed package names and everything they provide, one a line.
_debian_installed() {
  dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' 2>/dev/null |
    awk -F'|' '$1 ~ /^[ih]i/ {
      print $2
      n = split($3, p, ",")
      for (i = 1; i <= n; i++) { sub(/^ +/, "", p[i]); sub(/[ (].*/, "", p[i]); if (p[i] != "") print p[i] }
    }' | sed 's/:.*//' | sort -u
}

# The Debian packages among "$@" that are neither installed nor provided by an installed one.
debian_missing() {
  local have p
  have=$(_debian_installed)
  for p in "$@"; do
    grep -qxF -- "$p" <<<"$have" || printf '%s\n' "$p"
  done
}

# Install the Debian packages named in "$@" that are missing, or say exactly how.
need_debian() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: make sure the Qt 6 system libraries are installed"; return 0; }
  local missing=()
  mapfile -t missing < <(debian_missing "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  local apt="apt-get -o DPkg::Lock::Timeout=$APT_LOCK_WAIT"
  local line="$apt update && $apt install -y --no-install-recommends ${missing[*]}"
  if [ -n "${HROHUDDLE_EXPECT_NOTHING_TO_INSTALL:-}" ]; then
    echo "Set-up should have nothing left to install, but these are missing: ${missing[*]}" >&2
    exit 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "missing system packages: ${missing[*]}"
      echo "Install them as root with:  $line" >&2
      exit 1
    fi
    if ! sudo -n true 2>/dev/null && ! [ -t 0 ]; then
      say "missing system packages: ${missing[*]}"
      echo "Install them with:  sudo sh -c '$line'" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  say "installing system packages: ${missing[*]}"
  # One sudo call for update and install, so a password is asked for once. The lock
  # timeout covers dpkg's lock; the package lists' lock (apt-get update) is waited for
  # here, as unattended upgrades on a fresh machine hold it for minutes.
  local script="tries=$((APT_LOCK_WAIT / 5 + 1))
    until out=\$($apt -qq update 2>&1); do
      case \"\$out\" in
        *lock*) tries=\$((tries - 1)); [ \$tries -gt 0 ] || { echo \"\$out\" >&2; exit 1; }; sleep 5 ;;
        *) echo \"\$out\" >&2; exit 1 ;;
      esac
    done
    $apt -y -qq --no-install-recommends install ${missing[*]} >/dev/null"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive sh -c "$script"; then
    echo "Installing system packages failed; run it yourself to see why:  ${sudo[*]:+sudo }sh -c '$line'" >&2
    exit 1
  fi
}

# A virtual environment with HRO Huddle and its test tools.
python_env() {
  local py=${PYTHON:-python3}
  command -v "$py" >/dev/null 2>&1 || { echo "Python 3.11 or newer is needed (python3 not found)." >&2; exit 1; }
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed; found $("$py" --version)." >&2; exit 1; }
  if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then need_debian python3-venv; fi
  local stamp="$VENV/.hrohuddle-installed"
  if [ ! -x "$VENV/bin/python" ] || [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    if [ -n "${HROHUDDLE_EXPECT_NOTHING_TO_INSTALL:-}" ]; then
      echo "Set-up should have nothing left to install, but $VENV is missing or out of date." >&2
      exit 1
    fi
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating a virtual environment in $VENV"
    "$py" -m venv "$VENV"
  fi
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
