#!/usr/bin/env bash
# Is this container being CPU-throttled? Run it inside the container (or point
# CGROUP at the pod's cgroup directory on the node) while latency spikes:
#
#   ./throttling.sh            # one 10-second sample
#   ./throttling.sh 5 12       # twelve 5-second samples
#
# It reads cgroup v2's cpu.max (the quota) and cpu.stat (the counters) twice
# per sample and prints, for the interval: CPU used, the share of enforcement
# periods (100 ms by default) in which the group hit its quota, and the time
# it spent throttled. Throttled periods while average CPU is below the limit
# mean bursts: more runnable threads than the quota covers.
set -euo pipefail

CGROUP=${CGROUP:-/sys/fs/cgroup}
INTERVAL=${1:-10}
SAMPLES=${2:-1}

if [[ ! -r "$CGROUP/cpu.stat" || ! -r "$CGROUP/cpu.max" ]]; then
    echo "no cgroup v2 cpu controller at $CGROUP (cgroup v1: see cpu.cfs_quota_us and cpu.stat's throttled_time, in ns)" >&2
    exit 1
fi

read -r quota period < "$CGROUP/cpu.max"
if [[ "$quota" == "max" ]]; then
    echo "cpu.max: no CPU limit (period ${period} us): this cgroup cannot be throttled"
else
    echo "cpu.max: ${quota} us per ${period} us period = $(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%.2f", q / p }') CPUs"
fi

# Prints "usage_usec nr_periods nr_throttled throttled_usec" from cpu.stat.
counters() {
    awk '$1 == "usage_usec" { u = $2 } $1 == "nr_periods" { p = $2 }
         $1 == "nr_throttled" { t = $2 } $1 == "throttled_usec" { tu = $2 }
         END { print u + 0, p + 0, t + 0, tu + 0 }' "$CGROUP/cpu.stat"
}

for ((i = 1; i <= SAMPLES; i++)); do
    read -r u0 p0 t0 tu0 < <(counters)
    sleep "$INTERVAL"
    read -r u1 p1 t1 tu1 < <(counters)
    awk -v du=$((u1 - u0)) -v dp=$((p1 - p0)) -v dt=$((t1 - t0)) -v dtu=$((tu1 - tu0)) -v s="$INTERVAL" '
        BEGIN {
            share = dp > 0 ? 100 * dt / dp : 0
            printf "%ds: CPU used %.2f cores; throttled in %d of %d periods (%.1f%%); throttled time %.0f ms (summed over CPUs)\n",
                   s, du / 1e6 / s, dt, dp, share, dtu / 1000
        }'
done
