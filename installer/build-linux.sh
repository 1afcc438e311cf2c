#!/usr/bin/env bash
# Build the Linux one-folder bundle and its tarball, then smoke-test the frozen
# executable offscreen: --version, and self-test (database, migration, demo data,
# weekly report PDF read back). Exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
OUT=$ROOT/build
"$PY" -m pip install -q "pyinstaller>=6.6"
VERSION=$("$PY" -c 'import hrohuddle; print(hrohuddle.__version__)')
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$OUT/dist" --workpath "$OUT/work" \
  "$ROOT/installer/hrohuddle.spec"
built=$(( $(date +%s) - start ))
install -m 644 "$ROOT/installer/hrohuddle.desktop" "$OUT/dist/hrohuddle/"
install -m 644 "$ROOT/resources/icons/hrohuddle.svg" "$OUT/dist/hrohuddle/"
tarball=$OUT/hrohuddle-$VERSION-linux-$(uname -m).tar.gz
tar -czf "$tarball" -C "$OUT/dist" hrohuddle
size=$(du -sm "$OUT/dist/hrohuddle" | cut -f1)
echo "built in ${built}s; bundle ${size} MB; tarball $(du -m "$tarball" | cut -f1) MB: $tarball"

# Smoke test, as IT would after installing: no crash dialog, offscreen, a fresh data folder.
smoke=$(mktemp -d)
export QT_QPA_PLATFORM=offscreen HROHUDDLE_DATA_DIR=$smoke
"$OUT/dist/hrohuddle/hrohuddle" --version
"$OUT/dist/hrohuddle/hrohuddle" self-test
rm -rf "$smoke"
echo "frozen build passed its self-test"
