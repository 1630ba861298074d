#!/usr/bin/env bash
# Makes sure a PostgreSQL server (Debian's package) is installed for the PostgreSQL tests, and prints the
# folder of its binaries (initdb, pg_ctl, postgres) on stdout.
#
#   bash scripts/ensure-postgres.sh        # exit 0 and prints e.g. /usr/lib/postgresql/15/bin
#
# $PG_BIN, when set, is used as it is (a folder with initdb and pg_ctl). Otherwise the newest
# /usr/lib/postgresql/<version>/bin, then initdb on the PATH. When none is there, as root, it runs
# `apt-get install -y postgresql` (scripts/apt-install.sh; `apt-get update` only when the package lists don't know it or the
# install fails on stale lists), waiting for other apt/dpkg runs instead of failing on their locks, with a
# time limit. apt's output goes to a log file; on failure its end is printed. Concurrent runs (jest
# workers) are serialized with flock. The package's own cluster is not used: the tests start clusters of
# their own (test/support/postgres.ts).
#
# Exit codes: 0 ready, 2 cannot install here (not root / no apt-get), 1 installation failed.
set -uo pipefail

LOG="${ENSURE_POSTGRES_LOG:-${TMPDIR:-/tmp}/ensure-postgres.log}"
TIMEOUT="${ENSURE_POSTGRES_TIMEOUT:-900}" # seconds for each apt-get run

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && { echo "$PG_BIN"; return 0; }
    return 1
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

find_bin && exit 0

if [ -n "${PG_BIN:-}" ]; then
  echo "ensure-postgres: PG_BIN=$PG_BIN has no initdb and pg_ctl; point it at a PostgreSQL bin folder, or unset it to use (and install) Debian's." >&2
  exit 2
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-postgres: no PostgreSQL server is installed and this user is not root, so it cannot be installed here." >&2
  echo "  Install it once with:  sudo apt-get install -y postgresql   (Debian 12), or set PG_BIN to a PostgreSQL bin folder." >&2
  exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: no PostgreSQL server and no apt-get to install one; install PostgreSQL and set PG_BIN." >&2
  exit 2
fi

exec 9>"${TMPDIR:-/tmp}/ensure-postgres.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w "$((TIMEOUT * 2))" 9 || { echo "ensure-postgres: timed out waiting for another installation of PostgreSQL" >&2; exit 1; }
fi
find_bin && exit 0

started=$(date +%s)
echo "ensure-postgres: installing PostgreSQL with apt-get (log: $LOG)..." >&2
ok=1
bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" postgresql "$LOG" "$TIMEOUT" && ok=0

if [ $ok -ne 0 ] || ! find_bin >/dev/null; then
  echo "ensure-postgres: could not install PostgreSQL with apt-get (see $LOG); last lines:" >&2
  tail -n 15 "$LOG" | sed 's/^/  | /' >&2
  echo "  Install it by hand (apt-get install -y postgresql) or set PG_BIN." >&2
  exit 1
fi
echo "ensure-postgres: PostgreSQL installed in $(($(date +%s) - started)) s" >&2
find_bin
