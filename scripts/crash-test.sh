#!/usr/bin/env bash
# crash-test.sh [KILLS] -- SIGKILL `envmint bootstrap` at random moments and check that the
# secret file is never half-written.
#
# For each round: restore a ~1 MB dotenv file (0600) that lacks the six preset keys, start
# `envmint bootstrap crash` on it, SIGKILL it after a random delay, then check that the file is
# either exactly the old bytes or the old bytes plus one complete set of appended KEY=value
# lines, and that it is still 0600. Then run bootstrap to completion and check that no
# temporary file is left behind. Exits 1 on any violation, 2 on a setup failure.
#
#   scripts/crash-test.sh          # 200 kills
#   scripts/crash-test.sh 30       # short mode for CI
#   ENVMINT=path/to/envmint scripts/crash-test.sh   # skip the build, test that binary
set -euo pipefail

kills=${1:-200}
[[ $kills =~ ^[0-9]+$ ]] || { echo "usage: $0 [KILLS]" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${ENVMINT:-} ]]; then
    cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
    ENVMINT=${CARGO_TARGET_DIR:-$root/target}/release/envmint
fi
ENVMINT=$(realpath "$ENVMINT")

keys=(SECRET_KEY JWT_SECRET_KEY SESSION_SECRET ENCRYPTION_KEY DB_PASSWORD REDIS_PASSWORD)
env_name=production   # one the built-in preset declares
file=.env.$env_name.local

# A scratch directory with no envmint.toml in it or its parents, so the built-in preset applies.
work=$(mktemp -d "${TMPDIR:-/tmp}/envmint-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
for d in "$work" "$(dirname "$work")" /; do
    [[ ! -e $d/envmint.toml ]] || { echo "setup: $d/envmint.toml would override the preset" >&2; exit 2; }
done
mkdir "$work/run"
cd "$work/run"

# ~1 MB of other keys, so reading, rendering and writing take a measurable moment.
awk 'BEGIN { srand(7); for (i = 0; i < 16000; i++) {
        v = ""; for (j = 0; j < 48; j++) v = v sprintf("%x", int(rand() * 16));
        printf "OTHER_KEY_%05d=%s\n", i, v } }' > "$work/old"
old_size=$(stat -c %s "$work/old")

restore() { cp "$work/old" "$file"; chmod 600 "$file"; }
temps() { compgen -G '.*.envmint-tmp.*' || true; }
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }

# A builtin sleep with sub-millisecond resolution: `read -t` on a pipe nobody writes to. Forking
# /bin/sleep would add a millisecond of noise to every delay.
exec {never}<> <(:)
sleep_us() { read -r -t "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))" -u "$never" || true; }

# Checks the file against the invariant. Sets `state` to old or new, or `why` and returns 1.
check() {
    state='' why=''
    local mode
    mode=$(stat -c %a "$file" 2>/dev/null) || { why="file missing"; return 1; }
    [[ $mode == 600 ]] || { why="mode is $mode, not 600"; return 1; }
    if cmp -s "$work/old" "$file"; then state=old; return 0; fi
    cmp -s -n "$old_size" "$work/old" "$file" || { why="old bytes changed"; return 1; }
    local tail_part
    tail_part=$(tail -c +"$((old_size + 1))" "$file"; printf x)
    [[ ${tail_part: -2} == $'\nx' ]] || { why="appended part does not end with a newline"; return 1; }
    local -A seen=()
    local line key n=0
    while IFS= read -r line; do
        [[ $line =~ ^([A-Z_]+)=(.+)$ ]] || { why="malformed appended line ($(printf %q "${line:0:20}")...)"; return 1; }
        key=${BASH_REMATCH[1]}
        [[ " ${keys[*]} " == *" $key "* ]] || { why="unexpected key $key"; return 1; }
        [[ -z ${seen[$key]:-} ]] || { why="key $key appended twice"; return 1; }
        seen[$key]=1
        n=$((n + 1))
    done <<< "${tail_part%$'\n'x}"
    ((n == ${#keys[@]})) || { why="appended $n of ${#keys[@]} keys"; return 1; }
    state=new
}

run_ok() {
    local out
    if ! out=$("$ENVMINT" bootstrap "$env_name" 2>&1); then
        echo "envmint bootstrap failed: $out" >&2
        return 1
    fi
}

# Calibrate: how long one complete run takes here.
total=0
for _ in 1 2 3 4 5; do
    restore
    t0=$(now_us); run_ok || exit 2; t1=$(now_us)
    total=$((total + t1 - t0))
    check || { echo "setup: an uninterrupted run fails the check: $why" >&2; exit 2; }
    [[ $state == new ]] || { echo "setup: bootstrap did not append the keys" >&2; exit 2; }
done
run_us=$((total / 5))
# The measured time includes starting the process from bash, which the kill delay does not, so
# delays up to one measured run already let a share of runs finish before the kill.
max_delay_us=$run_us
echo "envmint: $ENVMINT"
echo "file: $old_size bytes, one bootstrap run ~$((run_us / 1000)).$(((run_us % 1000) / 100)) ms; kill delay 0..$max_delay_us us; $kills kills"

# The write itself is a small part of a run (reading, parsing and rendering 1 MB come first), so
# uniform delays rarely hit it. After a first quarter of uniform kills, every other kill aims at
# +-1.5 ms around the mean delay of the kills that left a temp file (or, until one has, between
# the latest kill that came too early and the earliest that came too late).
rand_in() { echo $(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1))); }
during_lo='' during_hi='' during_sum=0 before_hi=0 after_lo=$max_delay_us
declare -A count=([finished]=0 [before]=0 [during]=0 [after]=0)
aimed=0
violations=0
for ((i = 1; i <= kills; i++)); do
    restore
    delay=$(rand_in 0 "$max_delay_us")
    if ((i > kills / 4 && i % 2 == 0)); then
        if [[ -n $during_lo ]]; then
            mean=$((during_sum / count[during]))
            lo=$((mean > 1500 ? mean - 1500 : 0)) hi=$((mean + 1500))
        else
            lo=$before_hi hi=$after_lo
        fi
        if ((lo < hi)); then delay=$(rand_in "$lo" "$hi"); aimed=$((aimed + 1)); fi
    fi
    "$ENVMINT" bootstrap "$env_name" > /dev/null 2>&1 &
    pid=$!
    sleep_us "$delay"
    kill -KILL "$pid" 2> /dev/null || true
    status=0
    # Redirected so bash does not report every "Killed" job.
    wait "$pid" 2> /dev/null || status=$?

    if ! check; then
        echo "VIOLATION round $i (delay ${delay}us, exit $status): $why" >&2
        if ((violations < 5)); then
            saved=$(dirname "$work")/envmint-crash-violation-$i
            cp "$file" "$saved" 2> /dev/null && echo "  file saved as $saved" >&2
        fi
        violations=$((violations + 1))
        continue
    fi
    left=$(temps)
    if ((status == 0)); then
        count[finished]=$((count[finished] + 1))
        ((delay >= after_lo)) || after_lo=$delay
        [[ $state == new && -z $left ]] || { echo "VIOLATION round $i: a finished run left state=$state temps=[$left]" >&2; violations=$((violations + 1)); }
        continue
    elif [[ $state == new ]]; then
        count[after]=$((count[after] + 1))   # killed after the rename
        ((delay >= after_lo)) || after_lo=$delay
    elif [[ -n $left ]]; then
        count[during]=$((count[during] + 1)) # killed with its temp file written or being written
        [[ -n $during_lo ]] && ((delay >= during_lo)) || during_lo=$delay
        [[ -n $during_hi ]] && ((delay <= during_hi)) || during_hi=$delay
        during_sum=$((during_sum + delay))
        # What a killed writer leaves must be as private as the secret itself.
        for t in $left; do
            m=$(stat -c %a "$t")
            [[ $m == 600 ]] || { echo "VIOLATION round $i: temp file $t is $m" >&2; violations=$((violations + 1)); }
        done
    else
        count[before]=$((count[before] + 1)) # killed before the temp file existed
        ((delay <= before_hi)) || before_hi=$delay
    fi

    # The next successful run completes the file and clears what the killed one left.
    if ! run_ok; then violations=$((violations + 1)); continue; fi
    if ! check || [[ $state != new ]]; then
        echo "VIOLATION round $i: after a clean run: ${why:-file not bootstrapped}" >&2
        violations=$((violations + 1))
    fi
    left=$(temps)
    [[ -z $left ]] || { echo "VIOLATION round $i: temp files remain after a clean run: $left" >&2; violations=$((violations + 1)); }
done

echo "kills: $kills ($aimed aimed at the write); killed before the temp file: ${count[before]}, during the write (temp file left): ${count[during]}, after the rename: ${count[after]}; finished before the kill: ${count[finished]}"
[[ -z $during_lo ]] || echo "kills that left a temp file came ${during_lo}..${during_hi} us after the start"
if ((violations > 0)); then
    echo "FAIL: $violations violation(s)" >&2
    exit 1
fi
echo "OK: the file was always the complete old bytes or old bytes + all ${#keys[@]} appended keys, mode 600"
