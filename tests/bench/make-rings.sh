#!/usr/bin/env bash
# Writes the ring schedules of schedules/bench/ (see ring.sh): every size
# the benchmark runs, with and without the deadlock.
set -euo pipefail
cd "$(dirname "$0")/../.."

for variant in deadlock ordered; do
    for n in 3 4 5 6 7 8 9 10; do
        tests/bench/ring.sh ron "$n" 1 "$variant" >"schedules/bench/ring-$n-k1-$variant.ron"
    done
    for n in 3 4 5 6 7; do
        tests/bench/ring.sh ron "$n" 2 "$variant" >"schedules/bench/ring-$n-k2-$variant.ron"
    done
done
