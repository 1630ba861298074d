#!/usr/bin/env bash
# The apt-get step of scripts/ensure-chromium.sh and scripts/ensure-postgres.sh: installs one of
# Debian's packages, waiting for other apt/dpkg runs instead of failing on their locks, with a time
# limit per apt-get run, and `apt-get update` only when the package lists don't know the package or
# the install fails on stale lists. apt's output goes to LOG. The callers check root, apt-get and
# their own lock first, and what the package gave them afterwards.
#
#   bash scripts/apt-install.sh PACKAGE LOG TIMEOUT_SECONDS     # exit 0 installed, 1 not
set -uo pipefail

PACKAGE="$1"
LOG="$2"
TIMEOUT="$3"
LOCK_WAIT=300 # seconds to wait for dpkg's lock (apt ≥ 1.9.11)

export DEBIAN_FRONTEND=noninteractive
APT=(timeout --kill-after=30 "$TIMEOUT" apt-get -q -y -o "DPkg::Lock::Timeout=$LOCK_WAIT" -o Dpkg::Use-Pty=0 -o APT::Color=0)
: >"$LOG"

install() { "${APT[@]}" install "$PACKAGE" >>"$LOG" 2>&1; }
update() { echo "== apt-get update" >>"$LOG"; "${APT[@]}" update >>"$LOG" 2>&1; }

if ! apt-cache show "$PACKAGE" >/dev/null 2>&1; then
  update || true
fi
install && exit 0
# Stale lists (404s) or a missing package: refresh once and try again.
update || true
install
