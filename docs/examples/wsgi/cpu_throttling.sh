#!/usr/bin/env bash
# Is this container being throttled by its CPU limit (the CFS quota)?
# Run inside the container:  bash cpu_throttling.sh [seconds]
# Reads the cgroup's cpu.stat twice and reports, for the interval between:
#   periods      scheduler periods (100 ms each by default) in which the cgroup ran
#   throttled    periods in which it used up its quota and was stopped until the next one
#   stalled_ms   total time its runnable threads spent stopped
# Any throttling under normal load shows as latency spikes of up to one
# period (the rest of the 100 ms) while average CPU use still looks modest.
set -euo pipefail

interval="${1:-10}"

if [[ -f /sys/fs/cgroup/cpu.stat && -f /sys/fs/cgroup/cpu.max ]]; then
  stat=/sys/fs/cgroup/cpu.stat                      # cgroup v2
  read -r quota period < /sys/fs/cgroup/cpu.max
  time_key=throttled_usec; time_to_ms=1000
elif [[ -f /sys/fs/cgroup/cpu/cpu.stat ]]; then
  stat=/sys/fs/cgroup/cpu/cpu.stat                  # cgroup v1
  quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
  period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
  time_key=throttled_time; time_to_ms=1000000
else
  echo "no cgroup cpu.stat found: not Linux, or not in a cgroup" >&2
  exit 1
fi

if [[ "$quota" == "max" || "$quota" == "-1" ]]; then
  echo "no CPU limit (quota $quota): nothing to throttle"
  exit 0
fi
echo "CPU limit: $quota us per $period us = $(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%.2f", q / p }') CPUs"

value() { awk -v k="$1" '$1 == k { print $2 }' "$stat"; }

p0=$(value nr_periods); t0=$(value nr_throttled); s0=$(value "$time_key")
sleep "$interval"
p1=$(value nr_periods); t1=$(value nr_throttled); s1=$(value "$time_key")

periods=$((p1 - p0)); throttled=$((t1 - t0)); stalled_ms=$(( (s1 - s0) / time_to_ms ))
pct=$(awk -v t="$throttled" -v p="$periods" 'BEGIN { printf "%.1f", p ? 100 * t / p : 0 }')
echo "over ${interval}s: ${periods} periods, ${throttled} throttled (${pct} %), ${stalled_ms} ms stalled"
