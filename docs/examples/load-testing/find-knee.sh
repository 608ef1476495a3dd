#!/usr/bin/env bash
# Find the knee: run the open-model test at rising rates, one steady run per
# rate, and keep each run's summary. k6 exits 99 when a threshold is crossed;
# the last rate that passes is the most this deployment serves within the SLO.
#
#   BASE_URL=https://staging.example.com ./find-knee.sh 100 200 300 400 500 600 700
set -euo pipefail
[ "$#" -ge 1 ] || { echo "usage: BASE_URL=... $0 RATE [RATE ...]" >&2; exit 2; }

: "${BASE_URL:?set BASE_URL to the system under test}"
DURATION="${DURATION:-5m}"     # per step, after the warm-up
RESPONSE_MS="${RESPONSE_MS:-300}" # the p99 threshold in constant-rate.js, in ms: sizes the VUs
OUT="${OUT:-knee-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"

# VUs to pre-allocate: the requests in flight at RESPONSE_MS, at least 20.
vus_for() {
  local vus=$(( ($1 * RESPONSE_MS + 999) / 1000 ))
  echo $(( vus < 20 ? 20 : vus ))
}

# Warm caches and connection pools at the first rate; this run is not measured.
k6 run --quiet -e BASE_URL="$BASE_URL" -e RATE="$1" -e VUS="$(vus_for "$1")" -e DURATION=2m \
  constant-rate.js >/dev/null || true

for rate in "$@"; do
  vus=$(vus_for "$rate")
  status=0
  k6 run --quiet -e BASE_URL="$BASE_URL" -e RATE="$rate" -e VUS="$vus" -e DURATION="$DURATION" \
    --summary-export "$OUT/summary-$rate.json" --out json="$OUT/results-$rate.json" \
    constant-rate.js || status=$?
  case "$status" in
    0)  echo "$rate requests/s: within the thresholds" ;;
    99) echo "$rate requests/s: thresholds crossed; the capacity within the SLO is below this rate"; break ;;
    *)  echo "$rate requests/s: k6 failed with status $status" >&2; exit "$status" ;;
  esac
done
echo "Summaries in $OUT/; 'python -m perfcalc analyze $OUT/results-RATE.json' gives exact percentiles."
