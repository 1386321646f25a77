#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...] -- runs the cargo-fuzz targets under fuzz/ (nightly and
# cargo-fuzz needed), each for SECONDS (default 600), one after another, at the lowest CPU
# priority. New inputs go to fuzz/corpus/TARGET; a crash stops with its input under
# fuzz/artifacts/TARGET and exit 1. Prints the executions of each run.
#
#   scripts/fuzz.sh               # every target, 10 minutes each
#   scripts/fuzz.sh 20            # CI: 20 seconds each
#   scripts/fuzz.sh 3600 dotenv   # one target for an hour
#   FUZZ_JOBS=2 scripts/fuzz.sh   # two targets at a time
#
# After a long run, shrink the corpus before committing it:
#   (cd fuzz && cargo +nightly fuzz cmin -s none TARGET)
set -euo pipefail

seconds=${1:-600}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2; }
shift || true
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/fuzz"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(dotenv manifest record plan unseal)
jobs=${FUZZ_JOBS:-1}
# Long runs yield to everything else; CI (FUZZ_NICE=0) must not: at nice 19 on a machine whose
# cores are busy, the fuzz build got 1.5% of a core and the step would have taken hours.
niceness=${FUZZ_NICE:-19}

# cargo-fuzz's default build: optimised, with debug assertions and overflow checks on (an
# overflow is a finding). No sanitizer: envmint forbids unsafe code and links no C, so
# AddressSanitizer would only halve the executions. One build for every target.
if ! nice -n "$niceness" cargo +nightly fuzz build -s none > /dev/null 2> "${TMPDIR:-/tmp}/envmint-fuzz-build.log"; then
    cat "${TMPDIR:-/tmp}/envmint-fuzz-build.log" >&2
    exit 2
fi

run_one() {
    local t=$1 log
    log=$(mktemp "${TMPDIR:-/tmp}/envmint-fuzz-$t.XXXXXX")
    mkdir -p "corpus/$t"
    # -rss_limit_mb: a parser that allocates past 2 GB for any input is a finding too;
    # -max_len 65536: inputs big enough for every structure, small enough to mutate quickly.
    if nice -n "$niceness" cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        > "$log" 2>&1; then
        printf '%-9s ok     %s executions in %ss, corpus %s files\n' "$t" \
            "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" "$seconds" \
            "$(find "corpus/$t" -type f | wc -l)"
        rm -f "$log"
    else
        printf '%-9s FAILED (log: %s)\n' "$t" "$log"
        grep -E 'panicked|ERROR|SUMMARY|artifact' "$log" | head -20
        return 1
    fi
}

status=0
running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if (( running >= jobs )); then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while (( running > 0 )); do
    wait -n || status=1
    running=$((running - 1))
done
exit "$status"
