#!/usr/bin/env bash
# Runs irctest, the IRC conformance suite (../shared/vendor/irctest), against pchat: the standard
# selection of server tests, in parallel, with pchat's controller (test/irctest/pchat_controller.py)
# starting a fresh pchat per test. Tests pchat does not claim are deselected by name in
# test/irctest/deselected.txt, each with its reason (docs/irc.md lists them too).
#
#   scripts/irctest.sh              the whole selection (what CI runs after npm test)
#   scripts/irctest.sh -k lusers    any extra pytest arguments narrow it down
#
# Needs Debian's python3-pytest, python3-pytest-xdist and python3-filelock (.ci/run installs them) and a built
# dist/ (`npm run test:irctest` builds it first; CI runs this script right after `npm test` built it). IRCTEST_WORKERS sets the parallelism (default: 2 per core).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
suite="${IRCTEST_DIR:-$here/../shared/vendor/irctest}"
[ -d "$suite/irctest" ] || { echo "irctest not found at $suite (set IRCTEST_DIR)" >&2; exit 2; }
python=/usr/bin/python3
"$python" -c 'import pytest, xdist, filelock' 2>/dev/null || {
  echo "irctest needs pytest, pytest-xdist and filelock for $python: apt-get install -y python3-pytest python3-pytest-xdist python3-filelock" >&2
  exit 2
}
workers="${IRCTEST_WORKERS:-$(( $(nproc) * 2 ))}"

# One `--deselect <test id>` per line of the list that is not blank or a comment; the reason
# follows the id after whitespace and a '#'.
deselect=()
while IFS= read -r line; do
  id="${line%%#*}"
  id="${id%"${id##*[![:space:]]}"}"
  [ -n "$id" ] && deselect+=(--deselect "$id")
done < "$here/test/irctest/deselected.txt"

cd "$suite"
# The suite's folder is read-only for us: no bytecode, no cache, temporary files under /tmp.
export PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH="$here/test/irctest${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -m pytest -p no:cacheprovider \
  --controller pchat_controller \
  -m 'not implementation-specific and not deprecated and not strict' \
  -n "$workers" -q -rfE "${deselect[@]}" "$@"
