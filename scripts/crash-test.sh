#!/usr/bin/env bash
# crash-test.sh [KILLS] -- SIGKILL every writing command of envmint (bootstrap, rotate, apply,
# set, unset, edit, seal, unseal, rekey, export) at random moments and check that no secret file
# is ever half-written. KILLS per command.
#
# bootstrap: for each round, restore a ~1 MB dotenv file (0600) that lacks the six preset keys,
# start `envmint bootstrap crash` on it, SIGKILL it after a random delay, then check that the
# file is either exactly the old bytes or the old bytes plus one complete set of appended
# KEY=value lines, each under its `# envmint: generated=...` record (ENCRYPTION_KEY's with
# ` role=encryption`), and that it is still 0600.
# Then run bootstrap to completion and check that no temporary file is left behind.
#
# rotate: four ~0.5 MB stores (three plain, one sealed) with four managed keys among thousands of
# other lines; each round restores them, starts `envmint rotate --all --at T`, SIGKILLs it, and
# checks that every store is its complete old version (same bytes) or its complete new one
# (every managed value replaced with a `generated=T` record, the old JWT_SECRET_KEY kept as
# JWT_SECRET_KEY_PREVIOUS, every other line byte for byte), 0600, temp files 0600. Then
# `envmint rotate --due --at T` must complete the rest, leave the stores the killed run had
# already renamed exactly as they were, and leave no temporary file.
#
# apply: the same four stores and one plan saved with `envmint plan --all --at T -o FILE`; each
# round SIGKILLs `envmint apply FILE` and checks that every store is its old bytes or exactly the
# plan's result (the sealed one decrypted), 0600; applying the plan again must succeed, skip the
# stores already applied (same bytes) and complete the others.
#
# more: set, unset, edit (a scripted editor), seal ENV, unseal ENV, rekey, export -o and export
# --format docker-secrets, each over its own small project (see crash_more below): after each
# kill every file the command writes is its complete old or complete new version, 0600, a temp
# file left is 0600, edit's private copy is 0600 in a 0700 folder, and the next run completes.
#
# hooks (opt-in: CRASH_TESTS=hooks): a real PostgreSQL 15 in a temp folder, a DB_PASSWORD with
# set and test hooks; each round SIGKILLs `envmint rotate --key DB_PASSWORD` at a delay sweeping
# every stage (pending, set, test, finish), then a run to the end must finish it, leave no
# pending value, and the store's current value must log in. It is the end-to-end test
# tests/cli/hooks.rs (40 kills in CI) with ENVMINT_HOOK_KILLS=KILLS, so it runs the test build
# of envmint, not $ENVMINT.
#
# Exits 1 on any violation, 2 on a setup failure.
#
#   scripts/crash-test.sh          # 200 kills of each
#   scripts/crash-test.sh 30       # short mode for CI
#   CRASH_TESTS="rotate apply" scripts/crash-test.sh 50   # only those loops
#   CRASH_TESTS=more CRASH_MORE="set edit" scripts/crash-test.sh 50
#   CRASH_TESTS=hooks scripts/crash-test.sh 1000   # hooks against PostgreSQL
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
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }

# A builtin sleep with sub-millisecond resolution: `read -t` on a pipe nobody writes to. Forking
# /bin/sleep would add a millisecond of noise to every delay.
exec {never}<> <(:)
sleep_us() { read -r -t "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))" -u "$never" || true; }
rand_in() { echo $(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1))); }
# envmint's temporary files (.NAME.envmint-tmp.XXXXXX) in the working folder.
temps() { compgen -G '.*.envmint-tmp.*' || true; }

# kill_after US CMD...: runs CMD (output discarded) and SIGKILLs it US microseconds after its
# start; sets the caller's `status` to its exit status.
kill_after() {
    local us=$1 pid
    shift
    "$@" > /dev/null 2>&1 &
    pid=$!
    sleep_us "$us"
    kill -KILL "$pid" 2> /dev/null || true
    status=0
    # Redirected so bash does not report every "Killed" job.
    wait "$pid" 2> /dev/null || status=$?
}

# aim ROUND KILLS MAX SUM N BEFORE_HI AFTER_LO: sets the caller's `delay` to a random delay up
# to MAX; after the first quarter of the rounds, every second one aims within 1.5 ms of the
# mean delay that landed during the writes (SUM / N), or, before one has, between the last
# kill before any write (BEFORE_HI) and the first after all of them (AFTER_LO). Counts the
# aimed rounds in the caller's `aimed`.
aim() {
    local round=$1 kills=$2 max=$3 sum=$4 n=$5 before_hi=$6 after_lo=$7 mean lo hi
    delay=$(rand_in 0 "$max")
    if ((round > kills / 4 && round % 2 == 0)); then
        if ((n > 0)); then
            mean=$((sum / n))
            lo=$((mean > 1500 ? mean - 1500 : 0)) hi=$((mean + 1500))
        else
            lo=$before_hi hi=$after_lo
        fi
        if ((lo < hi)); then delay=$(rand_in "$lo" "$hi"); aimed=$((aimed + 1)); fi
    fi
}

# --- bootstrap: one file, keys appended ------------------------------------------------------

crash_bootstrap() {
    mkdir "$work/run"
    cd "$work/run"

    # ~1 MB of other keys, so reading, rendering and writing take a measurable moment.
    awk 'BEGIN { srand(7); for (i = 0; i < 16000; i++) {
            v = ""; for (j = 0; j < 48; j++) v = v sprintf("%x", int(rand() * 16));
            printf "OTHER_KEY_%05d=%s\n", i, v } }' > "$work/old"
    old_size=$(stat -c %s "$work/old")

    restore() { cp "$work/old" "$file"; chmod 600 "$file"; }

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
        local line key n=0 record=''
        while IFS= read -r line; do
            # Each appended key comes with its record line directly above it (an encryption
            # key's says so: ` role=encryption`).
            if [[ -z $record ]]; then
                [[ $line =~ ^'# envmint: generated='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z(' role=encryption')?$ ]] ||
                    { why="appended line is not a record ($(printf %q "${line:0:30}")...)"; return 1; }
                record=$line
                continue
            fi
            local marked=no
            [[ $record == *' role=encryption' ]] && marked=yes
            record=''
            [[ $line =~ ^([A-Z_]+)=(.+)$ ]] || { why="malformed appended line ($(printf %q "${line:0:20}")...)"; return 1; }
            key=${BASH_REMATCH[1]}
            [[ $marked == "$([[ $key == ENCRYPTION_KEY ]] && echo yes || echo no)" ]] ||
                { why="$key's record says role=encryption: $marked"; return 1; }
            [[ " ${keys[*]} " == *" $key "* ]] || { why="unexpected key $key"; return 1; }
            [[ -z ${seen[$key]:-} ]] || { why="key $key appended twice"; return 1; }
            seen[$key]=1
            n=$((n + 1))
        done <<< "${tail_part%$'\n'x}"
        [[ -z $record ]] || { why="a record without its key"; return 1; }
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
        kill_after "$delay" "$ENVMINT" bootstrap "$env_name"

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
        return 1
    fi
    echo "OK: the file was always the complete old bytes or old bytes + all ${#keys[@]} appended keys with their records, mode 600"
}

# --- rotate: several files, plain and sealed, every value replaced ----------------------------

# rot_setup DIR: four stores in DIR (the working folder from then on), their old state saved
# under $work/rot-old.*, and the helpers both loops use. Globals: each loop runs in its own
# subshell.
rot_setup() {
    mkdir "$1"
    cd "$1"
    envs=(a b c s) plain_envs=(a b c)
    rkeys=(SECRET_KEY JWT_SECRET_KEY SESSION_SECRET CSRF_KEY)
    managed_re='^(# envmint:|(export )?(SECRET_KEY|JWT_SECRET_KEY|JWT_SECRET_KEY_PREVIOUS|SESSION_SECRET|CSRF_KEY)=)'
    # t1 is 59 days after t0: every key (30d) is due, and the old JWT_SECRET_KEY_PREVIOUS (7d)
    # has expired, so a complete new file has every value replaced and a new previous value.
    t0=2030-01-01T00:00:00Z t1=2030-03-01T00:00:00Z

    "$ENVMINT" keygen -o id.txt 2> keygen.err || { cat keygen.err >&2; exit 2; }
    local recipient
    recipient=$(sed -n 's/^Public key: //p' keygen.err)
    rm keygen.err
    mv id.txt "$work/rot-id.txt"
    export ENVMINT_IDENTITY=$work/rot-id.txt
    {
        printf '[defaults]\nrotate_every = "30d"\n\n'
        for e in "${plain_envs[@]}"; do printf '[environments.%s]\nfile = ".env.%s"\n\n' "$e" "$e"; done
        printf '[environments.s]\nsealed = ".env.s.age"\nrecipients = ["%s"]\n\n' "$recipient"
        printf '[secrets.SECRET_KEY]\nkind = "hex"\nbytes = 32\n\n'
        printf '[secrets.JWT_SECRET_KEY]\nkind = "hex"\nbytes = 32\noverlap = "7d"\n\n'
        printf '[secrets.SESSION_SECRET]\nkind = "base64"\nbytes = 32\n\n'
        printf '[secrets.CSRF_KEY]\nkind = "alnum"\nlength = 32\n'
    } > envmint.toml

    # ~0.5 MB per file: other keys and comments, the four managed keys written by hand among
    # them (no records), then one `rotate --all --at t0` gives them records: the old state.
    local e
    for e in "${envs[@]}"; do
        awk -v seed="$RANDOM" 'BEGIN { srand(seed)
            for (i = 0; i < 8000; i++) {
                if (i % 100 == 0) printf "# section %d\n", i / 100
                if (i == 10) print "SECRET_KEY=hand-written"
                if (i == 3000) print "export JWT_SECRET_KEY=hand-written-too"
                if (i == 6000) print "SESSION_SECRET=\"by hand\""
                v = ""; for (j = 0; j < 48; j++) v = v sprintf("%x", int(rand() * 16))
                printf "OTHER_%05d=%s\n", i, v
            }
            print "CSRF_KEY="
            print "# the end" }' > "$work/rot-$e.body"
    done
    for e in "${plain_envs[@]}"; do cp "$work/rot-$e.body" ".env.$e"; chmod 600 ".env.$e"; done
    cp "$work/rot-s.body" .env.s.local
    "$ENVMINT" seal s --remove-plaintext > /dev/null 2>&1 || { echo "setup: envmint seal s failed" >&2; exit 2; }
    local out
    if ! out=$("$ENVMINT" rotate --all --at "$t0" 2>&1); then
        echo "setup: envmint rotate --all --at $t0 failed: $out" >&2
        exit 2
    fi
    for e in "${plain_envs[@]}"; do cp ".env.$e" "$work/rot-old.$e"; done
    cp .env.s.age "$work/rot-old.s"
    "$ENVMINT" unseal s --stdout > "$work/rot-old.s.plain" 2> /dev/null || { echo "setup: unseal s failed" >&2; exit 2; }
    for e in "${envs[@]}"; do
        local plain=$work/rot-old.$e
        [[ $e != s ]] || plain=$work/rot-old.s.plain
        # grep exits 1 when it selects no line: an environment of managed lines only is fine.
        grep -vE "$managed_re" "$plain" > "$work/rot-old.$e.unmanaged" || (( $? == 1 ))
    done

    rot_restore() {
        local e
        for e in "${plain_envs[@]}"; do cp "$work/rot-old.$e" ".env.$e"; chmod 600 ".env.$e"; done
        cp "$work/rot-old.s" .env.s.age
        chmod 600 .env.s.age
    }
    store_of() { if [[ $1 == s ]]; then echo .env.s.age; else echo ".env.$1"; fi; }

    # is_new PLAINTEXT ENV: whether PLAINTEXT is a complete rotation at t1 of ENV's old state.
    # Sets `why` when it is not.
    is_new() {
        local text=$1 e=$2 old_plain=$work/rot-old.$2
        [[ $e != s ]] || old_plain=$work/rot-old.s.plain
        # Not `grep | cmp -s -`: cmp stops at the first difference, and grep's SIGPIPE (141) under
        # pipefail, or its exit 1 when every line is managed, would decide the result instead.
        local unmanaged=$work/unmanaged.now status=0
        grep -vE "$managed_re" "$text" > "$unmanaged" || status=$?
        if (( status > 1 )) || ! cmp -s "$unmanaged" "$work/rot-old.$e.unmanaged"; then
            why="unmanaged lines or comments changed"
            return 1
        fi
        why=$(awk -v t1="$t1" -v keys="${rkeys[*]}" '
            function value(line) { sub(/^export /, "", line); sub(/^[A-Z_]+=/, "", line); return line }
            function name(line) { sub(/^export /, "", line); sub(/=.*/, "", line); return line }
            FNR == 1 { file++ }
            /^(export )?[A-Z_]+=/ {
                k = name($0)
                if (file == 1) old[k] = value($0)
                else { n[k]++; new[k] = value($0); rec[k] = prev }
            }
            { prev = $0 }
            END {
                split(keys, ks, " ")
                for (i in ks) {
                    k = ks[i]
                    if (n[k] != 1) { print k " appears " n[k] + 0 " times"; exit }
                    if (new[k] == old[k] || new[k] == "") { print k " kept its old value"; exit }
                    if (rec[k] != "# envmint: generated=" t1) { print k "'"'"'s record is " rec[k]; exit }
                }
                p = "JWT_SECRET_KEY_PREVIOUS"
                if (n[p] != 1) { print p " appears " n[p] + 0 " times"; exit }
                if (new[p] != old["JWT_SECRET_KEY"]) { print p " is not the old JWT_SECRET_KEY"; exit }
                if (index(rec[p], "# envmint: previous-of=JWT_SECRET_KEY retired=" t1 " ") != 1) {
                    print p "'"'"'s record is " rec[p]; exit
                }
            }' "$old_plain" "$text")
        [[ -z $why ]]
    }

    # rot_check: every store is its complete old or complete new version, 0600. Sets `states`
    # (e.g. "old new new old") or `why` and returns 1.
    rot_check() {
        states='' why=''
        local e f mode
        for e in "${envs[@]}"; do
            f=$(store_of "$e")
            mode=$(stat -c %a "$f" 2>/dev/null) || { why="$f missing"; return 1; }
            [[ $mode == 600 ]] || { why="$f: mode is $mode, not 600"; return 1; }
            if cmp -s "$f" "$work/rot-old.$e"; then states+=" old"; continue; fi
            local text=$f
            if [[ $e == s ]]; then
                text=$work/rot-cur.plain
                "$ENVMINT" unseal s --stdout > "$text" 2> /dev/null || { why="$f changed and does not decrypt"; return 1; }
            fi
            is_new "$text" "$e" || { why="$f is neither old nor new: $why"; return 1; }
            states+=" new"
        done
        states=${states# }
    }
}

# rot_kills NAME CHECK RUN_US KILLED... -- AGAIN...: the kill loop of the rotate and apply tests
# over rot_setup's stores. Each round restores the old stores, SIGKILLs `KILLED...` at a delay
# (`aim`), checks with CHECK (rot_check or apply_check: sets `states` or `why`) that every store
# is its complete old or complete new version, then runs `AGAIN...` (what cron or the user runs
# next) and checks that it completes the rest, leaves the stores the killed run had renamed
# exactly as they were, and leaves no temporary file. Prints the counts; returns 1 on a
# violation.
rot_kills() {
    local name=$1 check=$2 run_us=$3
    shift 3
    local -a killed=() again=()
    while [[ $1 != -- ]]; do killed+=("$1"); shift; done
    shift
    again=("$@")
    # As for bootstrap: a first quarter of uniform delays, then every other kill aimed around
    # the mean delay of the kills that caught the writes (a temp file left, or some stores
    # renamed and others not).
    local -A seen_state=()
    local before_hi=0 after_lo=$run_us mid_sum=0 mid_n=0 aimed=0 violations=0 delay status left before_states kind t n e i out
    for ((i = 1; i <= kills; i++)); do
        rot_restore
        aim "$i" "$kills" "$run_us" "$mid_sum" "$mid_n" "$before_hi" "$after_lo"
        kill_after "$delay" "${killed[@]}"

        if ! "$check"; then
            echo "VIOLATION $name round $i (delay ${delay}us, exit $status): $why" >&2
            violations=$((violations + 1))
            continue
        fi
        left=$(temps)
        if ((status == 0)); then kind=finished
        elif [[ $states == "new new new new" ]]; then kind=after
        elif [[ -n $left || $states == *new* ]]; then kind=during
        else kind=before
        fi
        seen_state[$kind]=$((${seen_state[$kind]:-0} + 1))
        if [[ $states == *old* && $states == *new* ]]; then seen_state[mixed]=$((${seen_state[mixed]:-0} + 1)); fi
        case $kind in
            during) mid_sum=$((mid_sum + delay)) mid_n=$((mid_n + 1)) ;;
            before) ((delay <= before_hi)) || before_hi=$delay ;;
            *) ((delay >= after_lo)) || after_lo=$delay ;;
        esac
        [[ $status != 0 || -z $left ]] || { echo "VIOLATION $name round $i: a finished run left temps [$left]" >&2; violations=$((violations + 1)); }
        for t in $left; do
            [[ $(stat -c %a "$t") == 600 ]] || { echo "VIOLATION $name round $i: temp file $t is not 0600" >&2; violations=$((violations + 1)); }
        done

        # The next run completes what the killed one left; stores it had already renamed are
        # left exactly as they are, and no temp file remains.
        before_states=$states
        local -A snap=()
        for e in "${envs[@]}"; do snap[$e]=$(sha256sum < "$(store_of "$e")"); done
        if ! out=$("${again[@]}" 2>&1); then
            echo "VIOLATION $name round $i: the run after the kill (${again[*]}) failed: $out" >&2
            violations=$((violations + 1))
            continue
        fi
        if ! "$check" || [[ $states != "new new new new" ]]; then
            echo "VIOLATION $name round $i: after the next run: ${why:-stores are $states}" >&2
            violations=$((violations + 1))
        fi
        n=0
        for e in "${envs[@]}"; do
            n=$((n + 1))
            if [[ $(cut -d' ' -f"$n" <<< "$before_states") == new && ${snap[$e]} != $(sha256sum < "$(store_of "$e")") ]]; then
                echo "VIOLATION $name round $i: $(store_of "$e") was already written by the killed run and was written again" >&2
                violations=$((violations + 1))
            fi
        done
        left=$(temps)
        [[ -z $left ]] || { echo "VIOLATION $name round $i: temp files remain after the next run: $left" >&2; violations=$((violations + 1)); }
    done
    echo "$name kills: $kills ($aimed aimed); before any write: ${seen_state[before]:-0}, during the writes (temp file or some stores renamed): ${seen_state[during]:-0} (${seen_state[mixed]:-0} with some stores new and others old), after all renames: ${seen_state[after]:-0}; finished before the kill: ${seen_state[finished]:-0}"
    if ((violations > 0)); then
        echo "FAIL: $name: $violations violation(s)" >&2
        return 1
    fi
}

crash_rotate() {
    rot_setup "$work/rot"
    local out

    # Calibrate.
    local total=0 t_start t_end i
    for i in 1 2 3; do
        rot_restore
        t_start=$(now_us)
        out=$("$ENVMINT" rotate --all --at "$t1" 2>&1) || { echo "setup: rotate --all failed: $out" >&2; exit 2; }
        t_end=$(now_us)
        total=$((total + t_end - t_start))
        rot_check || { echo "setup: an uninterrupted rotate fails the check: $why" >&2; exit 2; }
        [[ $states == "new new new new" ]] || { echo "setup: rotate left $states" >&2; exit 2; }
    done
    local run_us=$((total / 3))
    echo "rotate: ${#envs[@]} stores (3 plain, 1 sealed) of $(stat -c %s "$work/rot-old.a") bytes each; one run ~$((run_us / 1000)) ms; $kills kills"

    # The next run is cron's: `rotate --due`.
    rot_kills rotate rot_check "$run_us" "$ENVMINT" rotate --all --at "$t1" -- "$ENVMINT" rotate --due --at "$t1" || return 1
    echo "OK: every store was always its complete old or complete new version, mode 600, and the next run completed the rotation"
}

# --- apply: a saved plan replayed over the same four stores -----------------------------------

crash_apply() {
    rot_setup "$work/apply"
    local out e
    # One plan for every key of every store at t1, and its result: one complete apply.
    rot_restore
    out=$("$ENVMINT" plan --all --at "$t1" -o "$work/rot.plan" 2>&1) || { echo "setup: envmint plan failed: $out" >&2; exit 2; }
    out=$("$ENVMINT" apply --at "$t1" "$work/rot.plan" 2>&1) || { echo "setup: envmint apply failed: $out" >&2; exit 2; }
    rot_check || { echo "setup: an uninterrupted apply fails the check: $why" >&2; exit 2; }
    [[ $states == "new new new new" ]] || { echo "setup: apply left $states" >&2; exit 2; }
    for e in "${plain_envs[@]}"; do cp ".env.$e" "$work/ref.$e"; done
    "$ENVMINT" unseal s --stdout > "$work/ref.s" 2> /dev/null || { echo "setup: unseal s failed" >&2; exit 2; }

    # apply_check: every store is exactly its old bytes or exactly the plan's result (for the
    # sealed one: its plaintext), 0600. Sets `states` or `why`.
    apply_check() {
        states='' why=''
        local e f mode
        for e in "${envs[@]}"; do
            f=$(store_of "$e")
            mode=$(stat -c %a "$f" 2>/dev/null) || { why="$f missing"; return 1; }
            [[ $mode == 600 ]] || { why="$f: mode is $mode, not 600"; return 1; }
            if cmp -s "$f" "$work/rot-old.$e"; then states+=" old"; continue; fi
            if [[ $e == s ]]; then
                "$ENVMINT" unseal s --stdout > "$work/apply-cur.plain" 2> /dev/null || { why="$f changed and does not decrypt"; return 1; }
                cmp -s "$work/apply-cur.plain" "$work/ref.s" || { why="$f is neither the old store nor the plan's result"; return 1; }
            else
                cmp -s "$f" "$work/ref.$e" || { why="$f is neither the old bytes nor the plan's result"; return 1; }
            fi
            states+=" new"
        done
        states=${states# }
    }

    local total=0 t_start t_end i
    for i in 1 2 3; do
        rot_restore
        t_start=$(now_us)
        out=$("$ENVMINT" apply --at "$t1" "$work/rot.plan" 2>&1) || { echo "setup: apply failed: $out" >&2; exit 2; }
        t_end=$(now_us)
        total=$((total + t_end - t_start))
        apply_check && [[ $states == "new new new new" ]] || { echo "setup: apply gives another result: ${why:-$states}" >&2; exit 2; }
    done
    local run_us=$((total / 3))
    echo "apply: the same 4 stores, one saved plan; one run ~$((run_us / 1000)) ms; $kills kills"

    # The next run applies the same plan again: stores already applied are skipped.
    rot_kills apply apply_check "$run_us" "$ENVMINT" apply --at "$t1" "$work/rot.plan" -- "$ENVMINT" apply --at "$t1" "$work/rot.plan" || return 1
    echo "OK: every store was always its old bytes or the plan's result, mode 600, and applying the plan again completed it"
}

# --- every other writing command: set, unset, edit, seal, unseal, rekey, export -----------------
#
# One loop per command, each in its own copy of a small project: a plain environment `p` (~0.2 MB,
# 4,000 other keys), a sealed one `s` (the same body) and `d` (40 keys, for docker-secrets). For
# each command, one uninterrupted run from the base state gives the "new" state of every file it
# may write; every round restores the base, SIGKILLs the command at a random moment, and checks
# that each of those files is its complete old or complete new version (a sealed file: its
# recipients and its decrypted plaintext; record times are masked, since `set` dates at its own
# instant), 0600 (a docker-secrets folder 0700), that a temporary file left is 0600, and that
# running the command again completes it and leaves no temporary file. `edit` is killed with its
# editor's copy open: the copy's folder must be 0700 and the copy 0600 (no plaintext readable by
# others), and the next `edit` removes it.

more_setup() {
    local dir=$work/more-base
    mkdir "$dir"
    (
        cd "$dir"
        "$ENVMINT" keygen -o "$work/more-id.txt" 2> k1 || { cat k1 >&2; exit 2; }
        "$ENVMINT" keygen -o "$work/more-id2.txt" 2> k2 || { cat k2 >&2; exit 2; }
        r1=$(sed -n 's/^Public key: //p' k1) r2=$(sed -n 's/^Public key: //p' k2)
        rm k1 k2
        echo "$r2" > "$work/more-r2"
        {
            printf '[environments.p]\nfile = ".env.p"\n\n[environments.d]\nfile = ".env.d"\n\n'
            printf '[environments.s]\nfile = ".env.s.local"\nsealed = ".env.s.age"\nrecipients = ["%s"]\n\n' "$r1"
            printf '[secrets.SECRET_KEY]\nkind = "hex"\nbytes = 32\n\n[secrets.STRIPE_API_KEY]\nexternal = true\n'
        } > envmint.toml
        awk 'BEGIN { srand(11); print "SECRET_KEY=" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            print "STRIPE_API_KEY=sk_test_the_old_value_0123456789"
            for (i = 0; i < 4000; i++) {
                v = ""; for (j = 0; j < 40; j++) v = v sprintf("%x", int(rand() * 16))
                printf "OTHER_%05d=%s\n", i, v } }' > .env.p
        head -40 .env.p > .env.d
        cp .env.p .env.s.local
        chmod 600 .env.p .env.d .env.s.local
        ENVMINT_IDENTITY=$work/more-id.txt "$ENVMINT" seal s --remove-plaintext > /dev/null 2>&1 ||
            { echo "setup: seal s failed" >&2; exit 2; }
    ) || exit 2
    printf 'sk_live_%s' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$work/more-value"
}

# more_prepare CMD: the base state of CMD's copy in the current folder (called before each round).
more_prepare() {
    rm -rf ./* ./.env* ./.*.envmint-tmp.* 2> /dev/null || true
    cp -a "$work/more-base/." .
    case $1 in
        seal)
            ENVMINT_IDENTITY=$work/more-id.txt "$ENVMINT" unseal s > /dev/null 2>&1 || { echo "setup: unseal s failed" >&2; exit 2; }
            sed -i 's/^OTHER_02000=.*/OTHER_02000=changed-before-seal/' .env.s.local ;;
        unseal)
            ENVMINT_IDENTITY=$work/more-id.txt "$ENVMINT" unseal s > /dev/null 2>&1 || { echo "setup: unseal s failed" >&2; exit 2; }
            sed -i 's/^OTHER_02000=.*/OTHER_02000=stale-plaintext/' .env.s.local ;;
        rekey)
            sed -i "s/^recipients = \[\(.*\)\]/recipients = [\1, \"$(cat "$work/more-r2")\"]/" envmint.toml ;;
        export) : > out.env; chmod 600 out.env ;;
    esac
}

# The command of each loop (run with `exec`, so the kill hits envmint itself) and the paths it
# writes (a trailing / for a folder, checked file by file).
more_cmd() {
    case $1 in
        set) cmd=(sh -c 'exec "$0" set p STRIPE_API_KEY < "$1"' "$ENVMINT" "$work/more-value"); paths=(.env.p) ;;
        unset) cmd=("$ENVMINT" unset p OTHER_02000 --if-exists); paths=(.env.p) ;;
        edit) cmd=("$ENVMINT" edit p); paths=(.env.p) ;;
        seal) cmd=("$ENVMINT" seal s); paths=(.env.s.age .env.s.local) ;;
        unseal) cmd=("$ENVMINT" unseal s --force); paths=(.env.s.age .env.s.local) ;;
        rekey) cmd=("$ENVMINT" rekey s --yes); paths=(.env.s.age) ;;
        export) cmd=("$ENVMINT" export p --format dotenv -o out.env); paths=(.env.p out.env) ;;
        docker-secrets) cmd=("$ENVMINT" export d --format docker-secrets -o secrets); paths=(.env.d secrets/) ;;
        *) echo "unknown crash test $1" >&2; exit 2 ;;
    esac
}

# view PATH: one line that is equal for equal contents: `absent`, or the mode and a digest (of
# the decrypted plaintext and the stanza count for a sealed file), record times masked.
view() {
    local f=$1
    [[ -e $f || -L $f ]] || { echo absent; return; }
    local mode
    mode=$(stat -c %a "$f")
    if [[ -d $f ]]; then echo "dir $mode"; return; fi
    if [[ $f == *.age ]]; then
        local stanzas plain
        stanzas=$(grep -a -c '^-> ' "$f" || true)
        plain=$("$ENVMINT" unseal "$f" --stdout 2> /dev/null | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g' | sha256sum) ||
            { echo "undecryptable $mode"; return; }
        echo "$mode sealed to $stanzas: ${plain%% *}"
        return
    fi
    local sum
    sum=$(sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/T/g' "$f" | sha256sum)
    echo "$mode ${sum%% *}"
}

# views: every written path's view, one per line as `PATH VIEW` (folders file by file).
views() {
    local p f
    for p in "${paths[@]}"; do
        if [[ $p == */ ]]; then
            echo "${p%/} $(view "${p%/}")"
            [[ -d ${p%/} ]] || continue
            for f in "${p%/}"/* "${p%/}"/.envmint-export; do
                [[ -e $f ]] && echo "$f $(view "$f")"
            done
        else
            echo "$p $(view "$p")"
        fi
    done
}

# more_check: every path's view is its old or its new one. Sets `state` or `why`.
more_check() {
    state='' why=''
    local now line path v old new olds=0 news=0
    now=$(views)
    while IFS= read -r line; do
        path=${line%% *} v=${line#* }
        old=$(sed -n "s|^$path ||p" <<< "$old_views")
        new=$(sed -n "s|^$path ||p" <<< "$new_views")
        [[ -n $old ]] || old=absent
        [[ -n $new ]] || new=absent
        if [[ $v == "$old" ]]; then olds=$((olds + 1))
        elif [[ $v == "$new" ]]; then news=$((news + 1))
        else why="$path is neither old ($old) nor new ($new): $v"; return 1
        fi
        case $v in
            absent | "dir 700"* | 600\ *) ;;
            *) why="$path: mode/state $v"; return 1 ;;
        esac
    done <<< "$now"
    # A path the new state has and the current listing lacks is absent: old when old is absent.
    while IFS= read -r line; do
        path=${line%% *}
        grep -q "^$path " <<< "$now" && continue
        old=$(sed -n "s|^$path ||p" <<< "$old_views")
        [[ -z $old || $old == absent ]] || { why="$path vanished"; return 1; }
    done <<< "$new_views"
    if ((news == 0)); then state=old; elif ((olds == 0)); then state=new; else state=mixed; fi
}

crash_more_one() {
    local name=$1
    mkdir "$work/more-$name"
    cd "$work/more-$name"
    more_cmd "$name"
    export ENVMINT_IDENTITY=$work/more-id.txt XDG_RUNTIME_DIR=$work/more-$name.run
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    # The scripted editor of `edit`: one value changed.
    export VISUAL="sed -i s/^OTHER_02000=.*/OTHER_02000=edited-by-the-editor/"
    local out total=0 t0 t1 i
    more_prepare "$name"
    old_views=$(views)
    for i in 1 2 3; do
        more_prepare "$name"
        t0=$(now_us)
        out=$("${cmd[@]}" 2>&1) || { echo "setup: ${cmd[*]} failed: $out" >&2; exit 2; }
        t1=$(now_us)
        total=$((total + t1 - t0))
    done
    new_views=$(views)
    [[ $new_views != "$old_views" ]] || { echo "setup: $name changed nothing" >&2; exit 2; }
    local run_us=$((total / 3))
    echo "$name: one run ~$((run_us / 1000)) ms; $kills kills"

    local -A seen=()
    local before_hi=0 after_lo=$run_us mid_sum=0 mid_n=0 aimed=0 violations=0 delay status left t kind
    for ((i = 1; i <= kills; i++)); do
        more_prepare "$name"
        aim "$i" "$kills" "$run_us" "$mid_sum" "$mid_n" "$before_hi" "$after_lo"
        kill_after "$delay" "${cmd[@]}"
        if ! more_check; then
            echo "VIOLATION $name round $i (delay ${delay}us, exit $status): $why" >&2
            violations=$((violations + 1))
            continue
        fi
        left=$( (temps; cd secrets 2> /dev/null && compgen -G '.*.envmint-tmp.*' | sed 's|^|secrets/|') || true)
        for t in $left; do
            [[ $(stat -c %a "$t") == 600 ]] || { echo "VIOLATION $name round $i: temp file $t is not 0600" >&2; violations=$((violations + 1)); }
        done
        # edit's private copy, left by a SIGKILL: readable by its owner only.
        for t in "$XDG_RUNTIME_DIR"/envmint-edit-*; do
            [[ -e $t ]] || continue
            [[ $(stat -c %a "$t") == 700 ]] || { echo "VIOLATION $name round $i: $t is not 0700" >&2; violations=$((violations + 1)); }
            for f in "$t"/* "$t"/.[!.]*; do
                [[ -f $f ]] || continue
                [[ $(stat -c %a "$f") == 600 ]] || { echo "VIOLATION $name round $i: $f is not 0600" >&2; violations=$((violations + 1)); }
            done
        done
        if ((status == 0)); then kind=finished
        elif [[ $state == new ]]; then kind=after
        elif [[ -n $left || $state == mixed ]]; then kind=during
        else kind=before
        fi
        seen[$kind]=$((${seen[$kind]:-0} + 1))
        case $kind in
            during) mid_sum=$((mid_sum + delay)) mid_n=$((mid_n + 1)) ;;
            before) ((delay <= before_hi)) || before_hi=$delay ;;
            *) ((delay >= after_lo)) || after_lo=$delay ;;
        esac
        [[ $status != 0 || -z $left ]] || { echo "VIOLATION $name round $i: a finished run left temps [$left]" >&2; violations=$((violations + 1)); }
        # The next run completes the work and cleans up.
        if ! out=$("${cmd[@]}" 2>&1); then
            echo "VIOLATION $name round $i: the run after the kill failed: $out" >&2
            violations=$((violations + 1))
            continue
        fi
        if [[ $(views) != "$new_views" ]]; then
            echo "VIOLATION $name round $i: the run after the kill did not reach the new state" >&2
            violations=$((violations + 1))
        fi
        left=$( (temps; cd secrets 2> /dev/null && compgen -G '.*.envmint-tmp.*') || true)
        [[ -z $left ]] || { echo "VIOLATION $name round $i: temp files remain after a clean run: $left" >&2; violations=$((violations + 1)); }
        if [[ $name == edit ]] && compgen -G "$XDG_RUNTIME_DIR/envmint-edit-*" > /dev/null; then
            echo "VIOLATION edit round $i: the next edit left a private copy folder" >&2
            violations=$((violations + 1))
        fi
    done
    echo "$name kills: $kills ($aimed aimed); before any write: ${seen[before]:-0}, during: ${seen[during]:-0}, after the renames: ${seen[after]:-0}; finished before the kill: ${seen[finished]:-0}"
    if ((violations > 0)); then
        echo "FAIL: $name: $violations violation(s)" >&2
        return 1
    fi
    echo "OK: $name: every file was always its complete old or complete new version, 0600, and the next run completed it"
}

crash_more() {
    more_setup
    local name failed=0
    for name in ${CRASH_MORE:-set unset edit seal unseal rekey export docker-secrets}; do
        (crash_more_one "$name") || failed=1
    done
    return "$failed"
}

crash_hooks() {
    # CI=1: a missing PostgreSQL fails the run instead of skipping it.
    ENVMINT_HOOK_KILLS=$kills CI=1 cargo test --locked --quiet --manifest-path "$root/Cargo.toml" \
        --test cli hooks::a_sigkill_at_any_stage_leaves_a_store_the_next_run_finishes -- \
        --exact --nocapture
    echo "OK: hooks: $kills kills, each followed by a run that finished the rotation; the current value logged in every time"
}

# CRASH_TESTS="bootstrap rotate apply more" (the default) chooses the loops; each runs in a subshell with
# errexit, and a failing one does not stop the next.
failed=0
for test in ${CRASH_TESTS:-bootstrap rotate apply more}; do
    set +e
    (
        set -e
        "crash_$test"
    )
    status=$?
    set -e
    ((status == 0)) || failed=$status
done
exit "$failed"
