#!/usr/bin/env bash
# `lockstep explore` against the SPIN model checker on rings of dining
# philosophers (tests/bench/ring.sh), with and without the deadlock.
#
#   tests/bench/explore-vs-spin.sh [SIZE...]
#
# A SIZE is N:K, a ring of N philosophers eating K times; the default is
# every ring of schedules/bench/. For each size and variant it prints the
# distinct states (both tools must agree), lockstep's time and peak memory,
# SPIN's time for its whole pipeline (write the model, generate the
# verifier, compile it, search) and for the compiled search alone, SPIN's
# peak memory, the ratios, and SPIN's figures with partial-order reduction.
#
# Counting executions needs every state, so the fair comparison is a full
# search: SPIN with -DSAFETY -DNOREDUCE, and a hash table of 2^w slots with
# w = ceil(log2(states)), SPIN's own advice. Times are wall-clock seconds
# (bash's clock around each command), memory is peak resident set size
# (GNU time); a run includes starting the process. Installs spin and time with
# apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

install() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 ..." >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null
}
install spin spin
install gcc gcc
[[ -x /usr/bin/time ]] || install /usr/bin/time time

cargo build --release --quiet
lockstep=$repo/target/release/lockstep
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $# -gt 0 ]]; then
    sizes=("$@")
else
    sizes=(3:1 4:1 5:1 6:1 7:1 8:1 9:1 10:1 3:2 4:2 5:2 6:2 7:2)
fi

# Runs a command under GNU time; prints "seconds peak_kb" to fd 3.
measure() {
    local start=$EPOCHREALTIME status=0
    /usr/bin/time -f "%M" -o "$work/time" "$@" || status=$?
    local end=$EPOCHREALTIME
    # GNU time puts a line about a non-zero exit status first.
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }') $(tail -n 1 "$work/time")" >&3
    return "$status"
}

# The smallest w with 2^w >= $1.
log2_ceil() {
    local w=1
    while ((1 << w < $1)); do w=$((w + 1)); done
    echo "$w"
}

# SPIN's distinct states in its output file $1.
spin_states() {
    awk '/states, stored/ { print $1 }' "$1"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'
}

bytes_per_state() {
    awk -v kb="$1" -v n="$2" 'BEGIN { printf "%.0f", kb * 1024 / n }'
}

seconds() {
    awk -v s="$1" 'BEGIN { printf "%.3f", s }'
}

header="| ring | variant | states | lockstep s | lockstep MB | B/state | SPIN pipeline s | SPIN search s | SPIN MB | B/state | search ratio | pipeline ratio | SPIN POR states | POR search s |"
echo "$header"
echo "$header" | sed 's/[^|]//g; s/|/|---/g; s/---$//'

for size in "${sizes[@]}"; do
    n=${size%:*} k=${size#*:}
    for variant in deadlock ordered; do
        ron=$repo/schedules/bench/ring-$n-k$k-$variant.ron
        [[ -f $ron ]] || tests/bench/ring.sh ron "$n" "$k" "$variant" >"$work/ring.ron"
        [[ -f $ron ]] || ron=$work/ring.ron

        # lockstep: load, search, count, report.
        {
            measure "$lockstep" explore --json --max-states 2000000000 "$ron" \
                >"$work/ours.json" 2>/dev/null || true
        } 3>"$work/ours.time"
        read -r ours_s ours_kb <"$work/ours.time"
        states=$(sed -n 's/^  "states": \([0-9]*\),$/\1/p' "$work/ours.json")

        # SPIN's pipeline: the model, the verifier, the compiler, the search.
        cd "$work"
        {
            measure bash "$repo/tests/bench/ring.sh" pml "$n" "$k" "$variant" >ring.pml
            measure spin -a ring.pml >/dev/null
            measure gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c
            measure ./pan -c0 -n -w"$(log2_ceil "$states")" >full.out 2>&1 || true
        } 3>"$work/spin.time"
        mapfile -t spin_times <"$work/spin.time"
        read -r search_s spin_kb <<<"${spin_times[3]}"
        pipeline_s=$(printf '%s\n' "${spin_times[@]}" | awk '{ s += $1 } END { print s }')
        full_states=$(spin_states full.out)
        if [[ $full_states != "$states" ]]; then
            echo "ring $n:$k $variant: lockstep has $states states, SPIN $full_states" >&2
            exit 1
        fi

        # SPIN with its partial-order reduction (does not count executions).
        gcc -O2 -DSAFETY -o pan_por pan.c
        {
            measure ./pan_por -c0 -n -w"$(log2_ceil "$states")" >por.out 2>&1 || true
        } 3>"$work/por.time"
        read -r por_s _ <"$work/por.time"
        cd "$repo"

        printf '| %s:%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s× | %s× | %s | %s |\n' \
            "$n" "$k" "$variant" "$states" "$(seconds "$ours_s")" "$((ours_kb / 1024))" \
            "$(bytes_per_state "$ours_kb" "$states")" "$(seconds "$pipeline_s")" \
            "$(seconds "$search_s")" "$((spin_kb / 1024))" \
            "$(bytes_per_state "$spin_kb" "$states")" "$(ratio "$search_s" "$ours_s")" \
            "$(ratio "$pipeline_s" "$ours_s")" "$(spin_states "$work/por.out")" \
            "$(seconds "$por_s")"
    done
done
