#!/usr/bin/env bash
# Hold the guide's models against Gunicorn on this machine. From a clone of
# the guide's repository; only 127.0.0.1 is served and loaded. On a machine
# busy with other work, run it at real-time priority, as the guide's table was
# made: this script does so when it may (as root: sudo ./run-lab.sh full).
#
#   ./run-lab.sh            # the three quick scenarios, under three minutes
#   ./run-lab.sh full       # the page's full set, about 30 minutes
set -euo pipefail

python3 -m venv .lab-venv
.lab-venv/bin/pip install --quiet -e '.[lab]'   # Flask and Gunicorn for the server

OUT="lab-$(date +%Y%m%d-%H%M%S)"
# Real-time priority where this user may set it (root or CAP_SYS_NICE); the
# results record the policy either way.
PRIORITY=()
if chrt -f 10 true 2>/dev/null; then PRIORITY=(chrt -f 10); fi
if [ "${1:-quick}" = full ]; then
  "${PRIORITY[@]}" .lab-venv/bin/perfcalc lab --out "$OUT"
else
  "${PRIORITY[@]}" .lab-venv/bin/perfcalc lab --quick --out "$OUT"
fi
# One scenario, longer, as JSON (perfcalc lab --list names them all):
#   .lab-venv/bin/perfcalc lab --scenario gthread-2x2-exp-70 --duration-s 300 --json > gthread.json
echo "Raw files and results.json: $OUT/"
