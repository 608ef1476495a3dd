#!/usr/bin/env bash
# Hold the guide's models against Gunicorn on this machine. From a clone of
# the guide's repository; only 127.0.0.1 is served and loaded.
#
#   ./run-lab.sh            # the three quick scenarios, under three minutes
#   ./run-lab.sh full       # the page's full set, about 30 minutes
set -euo pipefail

python3 -m venv .lab-venv
.lab-venv/bin/pip install --quiet -e '.[lab]'   # Flask and Gunicorn for the server

OUT="lab-$(date +%Y%m%d-%H%M%S)"
if [ "${1:-quick}" = full ]; then
  .lab-venv/bin/perfcalc lab --out "$OUT"
else
  .lab-venv/bin/perfcalc lab --quick --out "$OUT"
fi
# One scenario, longer, as JSON (perfcalc lab --list names them all):
#   .lab-venv/bin/perfcalc lab --scenario gthread-2x2-exp-70 --duration-s 300 --json > gthread.json
echo "Raw files and results.json: $OUT/"
