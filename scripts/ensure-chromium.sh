#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the Agents Playground end-to-end tests (playwright-core
# drives it; `npx playwright install` cannot download browsers on these machines).
#
#   bash scripts/ensure-chromium.sh        # exit 0 when $CHROMIUM_PATH (default /usr/bin/chromium) runs
#
# Idempotent and quiet: when Chromium is already there it only checks it. Otherwise, as root, it runs
# `apt-get install -y chromium` (scripts/apt-install.sh; `apt-get update` only when the package lists don't know chromium
# or the install fails on stale lists), waiting for other apt/dpkg runs instead of failing on their
# locks, with a time limit. apt's output goes to a log file; on failure the end of that log is printed.
# Concurrent runs (two jest workers) are serialized with flock.
#
# Exit codes: 0 ready, 2 cannot install here (not root / no apt-get), 1 installation failed.
set -uo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
LOG="${ENSURE_CHROMIUM_LOG:-${TMPDIR:-/tmp}/ensure-chromium.log}"
TIMEOUT="${ENSURE_CHROMIUM_TIMEOUT:-900}" # seconds for each apt-get run

works() { [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; }

works && exit 0

if [ -e "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM exists but does not run: $("$CHROMIUM" --version 2>&1 | tail -1)" >&2
  exit 1
fi
if [ "$CHROMIUM" != /usr/bin/chromium ]; then
  echo "ensure-chromium: CHROMIUM_PATH=$CHROMIUM does not exist; point it at a Chromium/Chrome binary, or unset it to use (and install) Debian's /usr/bin/chromium." >&2
  exit 2
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: Chromium is not installed ($CHROMIUM is missing) and this user is not root, so it cannot be installed here." >&2
  echo "  Install it once with:  sudo apt-get install -y chromium   (Debian 12), or point CHROMIUM_PATH at a Chromium/Chrome binary." >&2
  echo "  To skip the Agents Playground tests explicitly, run with E2E=0." >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get to install it; install Chromium and set CHROMIUM_PATH (or run with E2E=0 to skip the Playground tests)." >&2
  exit 2
fi

# One installer at a time (parallel jest workers); the second one finds Chromium installed.
exec 9>"${TMPDIR:-/tmp}/ensure-chromium.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w "$((TIMEOUT * 2))" 9 || { echo "ensure-chromium: timed out waiting for another installation of Chromium" >&2; exit 1; }
fi
works && exit 0

started=$(date +%s)
echo "ensure-chromium: installing Chromium with apt-get (log: $LOG)..." >&2
ok=1
bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" chromium "$LOG" "$TIMEOUT" && ok=0

if [ $ok -ne 0 ] || ! works; then
  echo "ensure-chromium: could not install Chromium with apt-get (see $LOG); last lines:" >&2
  tail -n 15 "$LOG" | sed 's/^/  | /' >&2
  echo "  Install it by hand (apt-get install -y chromium), set CHROMIUM_PATH, or run with E2E=0 to skip the Playground tests." >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null | head -1) installed in $(($(date +%s) - started)) s" >&2
exit 0
