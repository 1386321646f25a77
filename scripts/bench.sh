#!/usr/bin/env bash
# Benchmarks envmint against the tools it replaces, side by side, with hyperfine.
#
# Usage: scripts/bench.sh [--quick]
#
#   --quick   fewer iterations (a smoke run of well under a minute)
#
# BENCH_ENVMINT=/path/to/envmint skips the build and benchmarks that binary instead.
# BENCH_ONLY="bench_audit_git bench_gen" runs only the sections named.
#
# Sections (one function each; add new ones to SECTIONS below):
#   bench_gen        envmint gen hex --bytes 32  vs  openssl rand -hex 32  vs  python secrets
#   bench_throughput envmint gen hex -n 1000000: secrets per second; peak RSS at -n 10000000
#   bench_bootstrap  envmint bootstrap dev/staging/prod  vs  scripts/legacy/generate-secrets.sh
#   bench_big_file   adding one key to files of 1,000 / 10,000 / 100,000 keys (ms per MB)
#   bench_memory     peak RSS adding one key to a 1,000,000-key (~16 MB) file: < 5x size + 10 MB
#   bench_memory_read peak RSS of status, status --json, rotate --due and audit on a
#                    1,000,000-key (25 MB) file: each < 5x size + 10 MB
#   bench_seal       seal/unseal of a 2 KB .env vs age and rage; a 200 MB file: time vs age
#                    (< 1.3x) and peak RSS (flat: streaming). rage is installed once with
#                    `cargo install --locked rage` into ~/.cache/envmint-bench (BENCH_RAGE=0: skip)
#   bench_seal_header unseal of a file sealed to 4,000 recipients (the first one ours) vs age:
#                    < 1 s
#   bench_sealed_noop bootstrap of a sealed environment that needs nothing: < 3 ms, no write
#   bench_export     export of a 10,000-key (~1 MB) environment in each format, to stdout and
#                    -o FILE; docker-secrets: a folder of 10,000 files, new and unchanged: < 30 ms
#   bench_run        envmint run production -- true  vs  true: at most 2 ms added
#   bench_status     status of 10,000 managed keys (~1 MB, 10% due): < 30 ms; sealed <= 1.5x
#   bench_audit_git  envmint audit --git on a repository of 5,000 commits and 2,000 files (a
#                    value committed at commit 2,500 and removed at 2,501): < 5 s. The fixture
#                    is built once with git fast-import into ~/.cache/envmint-bench
#   bench_rotate     rotate --due on 10,000 managed keys (~1 MB), 10% due, a fresh copy each
#                    run: < 50 ms; the sealed form within 1.5x of plain
#   bench_merge      the git merge driver on a sealed 1,000-key store: 100 keys set on each
#                    branch and 10 rotated on both (three decryptions, merge, one encryption):
#                    < 100 ms
#
# The bootstrap sections are skipped with a message while `envmint bootstrap` does not work
# yet. Results end in a summary table: what, envmint median, other median, ratio, target,
# PASS/MISS. The exit status is 0 even when a target is missed (this is a report, not a gate);
# it is non-zero only when the benchmark itself cannot run.
set -euo pipefail

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "bench.sh: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LEGACY="$ROOT/scripts/legacy/generate-secrets.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/envmint-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

if [ "$QUICK" = 1 ]; then
    WARMUP=2 RUNS_FAST=15 RUNS_SLOW=3 RUNS_BIG=5
else
    WARMUP=5 RUNS_FAST=60 RUNS_SLOW=10 RUNS_BIG=20
fi

log() { printf '\n== %s\n' "$*"; }

# --- tools -----------------------------------------------------------------------------------

ensure_hyperfine() {
    command -v hyperfine >/dev/null 2>&1 && return
    echo "hyperfine not found: installing it with apt-get"
    if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y hyperfine
}

ensure_tools() {
    ensure_hyperfine
    for tool in openssl python3 cargo; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "bench.sh: $tool is required" >&2
            exit 1
        fi
    done
    # The interpreter itself, not a version-manager shim (a pyenv shim is a shell script that
    # adds ~100 ms to every python3 call and would flatter envmint). The legacy script calls
    # `python3` from PATH, so put the real one first there too.
    PY=$(python3 -c 'import sys; print(sys.executable)')
    PATH="$(dirname "$PY"):$PATH"
    export PATH
    echo "hyperfine: $(hyperfine --version)"
    echo "openssl:   $(openssl version)"
    echo "python3:   $PY ($("$PY" --version 2>&1))"
    echo "cpus:      $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    if [ "$("$PY" -c 'import os; print(int(os.getloadavg()[0] >= 0.5 * os.cpu_count()))')" = 1 ]; then
        echo "warning: the machine is busy; medians of millisecond commands will be noisy"
    fi
}

build() {
    if [ -n "${BENCH_ENVMINT:-}" ]; then
        ENVMINT=$BENCH_ENVMINT
        echo "envmint:   $ENVMINT (BENCH_ENVMINT; not building)"
        return
    fi
    log "cargo build --release --locked"
    (cd "$ROOT" && cargo build --release --locked)
    ENVMINT="${CARGO_TARGET_DIR:-$ROOT/target}/release/envmint"
    [ -x "$ENVMINT" ] || {
        echo "bench.sh: $ENVMINT was not built" >&2
        exit 1
    }
}

# --- helpers ---------------------------------------------------------------------------------

# calc EXPR: evaluates an arithmetic expression of numbers with python3, prints the result.
calc() { "$PY" -c "import sys; print(eval(sys.argv[1]))" "$1"; }

# fmt DIGITS NUMBER
fmt() { "$PY" -c "import sys; print(f'{float(sys.argv[2]):.{sys.argv[1]}f}')" "$1" "$2"; }

# median_ms JSON INDEX: median of the INDEX-th command of a hyperfine --export-json file, in ms.
median_ms() {
    "$PY" -c 'import json, sys
print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000)' "$1" "$2"
}

# record WHAT ENVMINT OTHER RATIO TARGET PASS: one row of the summary; PASS is 1 (PASS),
# 0 (MISS), skip (SKIP: cannot run yet) or fail (FAIL: the section broke).
record() {
    local verdict=MISS
    case "$6" in
        1) verdict=PASS ;;
        skip) verdict=SKIP ;;
        fail) verdict=FAIL ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$verdict" >>"$RESULTS"
}

# at_least A B: 1 if A >= B else 0.
at_least() { calc "int($1 >= $2)"; }

# bootstrap_works: whether `envmint bootstrap` can run today (it is being built on main).
# `bootstrap --help` is not enough on its own: the subcommand is declared before it is
# implemented, so a trial run in an empty folder decides.
bootstrap_works() {
    if ! "$ENVMINT" bootstrap --help >/dev/null 2>&1; then
        echo "skipped: \`envmint bootstrap --help\` fails (bootstrap is not in this build yet)"
        return 1
    fi
    local dir="$WORK/probe" err
    mkdir -p "$dir"
    if ! err=$(cd "$dir" && "$ENVMINT" bootstrap production 2>&1 >/dev/null); then
        echo "skipped: \`envmint bootstrap production\` fails in an empty folder: ${err%%$'\n'*}"
        return 1
    fi
    if [ ! -f "$dir/.env.production.local" ]; then
        echo "skipped: \`envmint bootstrap production\` did not write .env.production.local"
        return 1
    fi
    rm -rf "$dir"
}

# --- sections --------------------------------------------------------------------------------

bench_gen() {
    log "one secret: envmint gen hex --bytes 32 vs openssl rand -hex 32 vs python3 secrets"
    local json="$WORK/gen.json"
    hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS_FAST" --export-json "$json" \
        -n "envmint gen hex --bytes 32" "$ENVMINT gen hex --bytes 32" \
        -n "openssl rand -hex 32" "openssl rand -hex 32" \
        -n "python3 secrets.token_hex(32)" \
        "$PY -c 'import secrets; print(secrets.token_hex(32))'"
    local e o p
    e=$(median_ms "$json" 0)
    o=$(median_ms "$json" 1)
    p=$(median_ms "$json" 2)
    local ro rp
    ro=$(calc "$o / $e")
    rp=$(calc "$p / $e")
    record "gen hex 32 vs openssl rand -hex 32" "$(fmt 2 "$e") ms" "$(fmt 2 "$o") ms" \
        "$(fmt 1 "$ro")x" ">= 2.5x faster" "$(at_least "$ro" 2.5)"
    record "gen hex 32 vs python3 token_hex(32)" "$(fmt 2 "$e") ms" "$(fmt 2 "$p") ms" \
        "$(fmt 1 "$rp")x" "(info)" 1
}

bench_throughput() {
    log "throughput: envmint gen hex --bytes 32 -n 1000000 >/dev/null"
    local json="$WORK/throughput.json"
    hyperfine -N --style basic --warmup 1 --runs "$RUNS_SLOW" --export-json "$json" \
        -n "envmint gen hex --bytes 32 -n 1000000" "$ENVMINT gen hex --bytes 32 -n 1000000"
    local ms rate
    ms=$(median_ms "$json" 0)
    rate=$(calc "1e6 / ($ms / 1000) / 1e6")
    echo "=> $(fmt 1 "$rate") million secrets/s"
    record "gen hex 32 -n 1e6 (secrets/s)" "$(fmt 1 "$rate") M/s ($(fmt 0 "$ms") ms)" "-" "-" \
        ">= 20 M/s" "$(at_least "$rate" 20)"

    log "peak RSS: envmint gen hex --bytes 32 -n 10000000 >/dev/null"
    local kb
    if [ -x /usr/bin/time ]; then
        kb=$(/usr/bin/time -f '%M' "$ENVMINT" gen hex --bytes 32 -n 10000000 2>&1 >/dev/null |
            tail -n 1)
    else
        kb=$("$PY" -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
            "$ENVMINT" gen hex --bytes 32 -n 10000000)
    fi
    local mb
    mb=$(calc "$kb / 1024")
    echo "=> peak RSS $(fmt 1 "$mb") MB"
    record "gen hex 32 -n 1e7 (peak RSS)" "$(fmt 1 "$mb") MB" "-" "-" "< 10 MB" \
        "$(calc "int($mb < 10)")"
}

bench_bootstrap() {
    log "bootstrap: envmint bootstrap development staging production vs legacy script"
    if ! bootstrap_works; then
        record "bootstrap dev+staging+prod vs legacy" "skipped" "-" "-" ">= 50x faster" skip
        return
    fi
    local dir="$WORK/bootstrap" json="$WORK/bootstrap.json"
    mkdir -p "$dir"
    # Every run starts in an empty folder: --prepare empties it (find, so that no shell is
    # needed). hyperfine runs in the folder, so both commands write there. The legacy script
    # runs with Debian's python3 (PATH=/usr/bin:/bin), as the target is stated.
    (cd "$dir" && hyperfine -N --style basic --warmup 1 --runs "$RUNS_SLOW" \
        --export-json "$json" --prepare "find . -mindepth 1 -delete" \
        -n "envmint bootstrap development staging production" \
        "$ENVMINT bootstrap development staging production" \
        -n "legacy generate-secrets.sh (Debian python3)" "env PATH=/usr/bin:/bin $LEGACY")
    local e o r
    e=$(median_ms "$json" 0)
    o=$(median_ms "$json" 1)
    r=$(calc "$o / $e")
    record "bootstrap dev+staging+prod vs legacy" "$(fmt 2 "$e") ms" "$(fmt 1 "$o") ms" \
        "$(fmt 0 "$r")x" ">= 50x faster" "$(at_least "$r" 50)"
}

bench_sealed_noop() {
    log "sealed: bootstrap of a sealed environment that needs nothing (no write)"
    local dir="$WORK/sealed" json="$WORK/sealed.json" recipient before after
    mkdir -p "$dir"
    recipient=$(cd "$dir" && "$ENVMINT" keygen -o id.txt 2>&1 | sed 's/^Public key: //')
    {
        printf '[environments.production]\nsealed = ".env.production.age"\n'
        printf 'recipients = ["%s"]\n' "$recipient"
        sed -n '/^\[secrets/,$p' "$ROOT/src/presets/web.toml"
    } >"$dir/envmint.toml"
    if ! (cd "$dir" && ENVMINT_IDENTITY=id.txt "$ENVMINT" bootstrap production 2>/dev/null); then
        record "sealed bootstrap, nothing to add" "failed" "-" "-" "< 3 ms, no write" fail
        return
    fi
    before=$(cd "$dir" && sha256sum .env.production.age && stat -c %Y .env.production.age)
    (cd "$dir" && ENVMINT_IDENTITY=id.txt hyperfine -N --style basic --warmup "$WARMUP" \
        --runs "$RUNS_FAST" --export-json "$json" \
        -n "envmint bootstrap production (sealed, nothing to add)" \
        "$ENVMINT bootstrap production")
    after=$(cd "$dir" && sha256sum .env.production.age && stat -c %Y .env.production.age)
    local e ok
    e=$(median_ms "$json" 0)
    ok=$(calc "int($e < 3)")
    [ "$before" = "$after" ] || ok=0
    record "sealed bootstrap, nothing to add" "$(fmt 2 "$e") ms" "-" "-" "< 3 ms, no write" "$ok"
}

# make_env_file PATH KEYS: KEYS lines KEY_i=<64 hex> plus comment filler up to KEYS * 100
# bytes (10,000 keys = ~1 MB).
make_env_file() {
    "$PY" - "$1" "$2" <<'PY'
import os, sys
path, keys = sys.argv[1], int(sys.argv[2])
target = keys * 100
with open(path, "w") as f:
    size = 0
    for i in range(keys):
        line = f"KEY_{i}={os.urandom(32).hex()}\n"
        f.write(line)
        size += len(line)
        if i % 10 == 9 and size < target:
            filler = "# " + "-" * 60 + f" filler after KEY_{i}\n"
            f.write(filler)
            size += len(filler)
    while size < target:
        filler = "# " + "=" * 76 + "\n"
        f.write(filler)
        size += len(filler)
PY
}

bench_big_file() {
    log "one key into a big file: envmint --manifest M bootstrap production"
    if ! bootstrap_works; then
        record "add 1 key to 10,000-key (~1 MB) file" "skipped" "-" "-" "< 20 ms" skip
        return
    fi
    local keys dir ms mb per json target verdict
    local -A ms_at=()
    for keys in 1000 10000 100000; do
        dir="$WORK/big-$keys"
        mkdir -p "$dir"
        make_env_file "$dir/base.env" "$keys"
        cat >"$dir/envmint.toml" <<'TOML'
[environments.production]
file = ".env.production.local"

[secrets.NEW_KEY]
kind = "hex"
bytes = 32
TOML
        mb=$(calc "$(wc -c <"$dir/base.env") / 1e6")
        json="$WORK/big-$keys.json"
        # Every run starts from the file without NEW_KEY.
        (cd "$dir" && hyperfine -N --style basic --warmup 1 --runs "$RUNS_BIG" \
            --export-json "$json" --prepare "cp base.env .env.production.local" \
            -n "$keys keys ($(fmt 2 "$mb") MB)" \
            "$ENVMINT --manifest envmint.toml bootstrap production")
        if ! grep -q '^NEW_KEY=' "$dir/.env.production.local"; then
            echo "warning: bootstrap did not add NEW_KEY to the $keys-key file" >&2
        fi
        ms=$(median_ms "$json" 0)
        per=$(calc "$ms / $mb")
        ms_at[$keys]=$ms
        echo "=> $keys keys, $(fmt 2 "$mb") MB: $(fmt 2 "$ms") ms, $(fmt 2 "$per") ms per MB"
        target="(info)" verdict=1
        if [ "$keys" = 10000 ]; then
            target="< 20 ms" verdict=$(calc "int($ms < 20)")
        fi
        record "add 1 key, $keys keys ($(fmt 2 "$mb") MB)" "$(fmt 2 "$ms") ms" "-" \
            "$(fmt 2 "$per") ms/MB" "$target" "$verdict"
    done
    # Linear, not quadratic: 10x the file may cost at most 10x the time (with 50% slack for
    # noise). A fixed start-up cost only makes the ratio smaller; a quadratic step would give
    # ~100x.
    local growth
    growth=$(calc "${ms_at[100000]} / ${ms_at[10000]}")
    record "time at 100k keys / at 10k keys" "$(fmt 2 "${ms_at[100000]}") ms" \
        "$(fmt 2 "${ms_at[10000]}") ms" "$(fmt 1 "$growth")x" "<= 15x (10x size)" \
        "$(calc "int($growth <= 15)")"
}

bench_memory() {
    log "peak memory: one key into a 1,000,000-key file"
    if ! bootstrap_works; then
        record "peak RSS, 1M-key file" "skipped" "-" "-" "< 5x size + 10 MB" skip
        return
    fi
    local dir="$WORK/memory"
    mkdir -p "$dir"
    # KEY_0000000=000 ... : 16 bytes a line, 16,000,000 bytes, the worst realistic ratio of
    # keys to bytes (longer values only make the per-key cost smaller in proportion).
    "$PY" - "$dir/base.env" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.writelines(f"KEY_{i:07d}={i % 4096:03x}\n" for i in range(1_000_000))
PY
    cat >"$dir/envmint.toml" <<'TOML'
[environments.production]
file = ".env.production.local"

[secrets.NEW_KEY]
kind = "hex"
bytes = 32
TOML
    local size kb mb bound start end ms
    size=$(wc -c <"$dir/base.env")
    cp "$dir/base.env" "$dir/.env.production.local"
    start=$(date +%s%N)
    kb=$(peak_kb "$dir" "$ENVMINT" --manifest envmint.toml bootstrap production)
    end=$(date +%s%N)
    ms=$(calc "($end - $start) / 1e6")
    if ! grep -q '^NEW_KEY=' "$dir/.env.production.local"; then
        echo "bench.sh: bootstrap did not add NEW_KEY to the 1M-key file" >&2
        return 1
    fi
    mb=$(calc "$kb * 1024 / 1e6")
    bound=$(calc "5 * $size / 1e6 + 10")
    echo "=> file $(fmt 1 "$(calc "$size / 1e6")") MB, peak RSS $(fmt 1 "$mb") MB" \
        "(bound $(fmt 1 "$bound") MB), $(fmt 0 "$ms") ms"
    record "peak RSS, 1M keys ($(fmt 1 "$(calc "$size / 1e6")") MB)" "$(fmt 1 "$mb") MB" \
        "-" "$(fmt 2 "$(calc "$mb * 1e6 / $size")")x size" "< 5x size + 10 MB" \
        "$(calc "int($mb < $bound)")"
}

# peak_kb DIR COMMAND...: the peak RSS in KB of COMMAND run in DIR (stdout and stderr dropped).
peak_kb() {
    local dir=$1
    shift
    if [ -x /usr/bin/time ]; then
        (cd "$dir" && /usr/bin/time -f '%M' -o "$WORK/peak.txt" "$@" >/dev/null 2>&1) || true
        tail -n 1 "$WORK/peak.txt"
    else
        (cd "$dir" && "$PY" -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@")
    fi
}

bench_memory_read() {
    log "peak memory: status, rotate --due and audit on a 1,000,000-key (25 MB) file"
    local dir="$WORK/memory-read"
    mkdir -p "$dir"
    # VAR_0000000=<12 hex>: 25 bytes a key. Names that do not look like secrets: audit has
    # no finding per key. weak.env: the same under KEY_ names, a million weak values named
    # like secrets, so a million `low-entropy` findings (the last row).
    "$PY" - "$dir/base.env" "$dir/weak.env" <<'PY'
import sys
for name, path in (("VAR", sys.argv[1]), ("KEY", sys.argv[2])):
    with open(path, "w") as f:
        f.writelines(f"{name}_{i:07d}={i * 2654435761 % (1 << 48):012x}\n" for i in range(1_000_000))
PY
    cat >"$dir/envmint.toml" <<'TOML'
[environments.production]
file = ".env.production.local"

[secrets.NEW_KEY]
kind = "hex"
bytes = 32

[secrets.VAR_0000001]
kind = "hex"
bytes = 16
TOML
    local size bound what kb mb start ms
    size=$(wc -c <"$dir/base.env")
    bound=$(calc "5 * $size / 1e6 + 10")
    local file
    for what in "status" "status --json" "rotate production --due" "audit production" \
        "audit production (1M findings)"; do
        file=base.env
        if [ "$what" = "audit production (1M findings)" ]; then
            file=weak.env
            what="audit production"
        fi
        cp "$dir/$file" "$dir/.env.production.local"
        chmod 600 "$dir/.env.production.local"
        start=$(date +%s%N)
        # shellcheck disable=SC2086 # $what is several words on purpose
        kb=$(peak_kb "$dir" "$ENVMINT" --manifest envmint.toml $what)
        ms=$(calc "($(date +%s%N) - $start) / 1e6")
        mb=$(calc "$kb * 1024 / 1e6")
        echo "=> $what: peak RSS $(fmt 1 "$mb") MB (bound $(fmt 1 "$bound") MB), $(fmt 0 "$ms") ms"
        [ "$file" = base.env ] || what="$what, a finding per key"
        record "peak RSS, $what, 1M keys ($(fmt 0 "$(calc "$size / 1e6")") MB)" \
            "$(fmt 1 "$mb") MB" "-" "$(fmt 2 "$(calc "$mb * 1e6 / $size")")x size" \
            "< 5x size + 10 MB" "$(calc "int($mb < $bound)")"
    done
}

# rage, for the seal/unseal comparison: installed once into a cache folder, never system-wide.
ensure_rage() {
    RAGE=""
    local root="${XDG_CACHE_HOME:-$HOME/.cache}/envmint-bench/rage"
    if [ -x "$root/bin/rage" ]; then
        RAGE="$root/bin/rage"
    elif [ "${BENCH_RAGE:-1}" = 1 ]; then
        echo "installing rage into $root (cargo install --locked rage, once)"
        if cargo install --locked --quiet --root "$root" rage; then
            RAGE="$root/bin/rage"
        fi
    fi
    [ -n "$RAGE" ] && echo "rage:      $RAGE ($("$RAGE" --version))"
    return 0
}

bench_seal() {
    log "seal and unseal a 2 KB .env: envmint vs age vs rage"
    if ! command -v age >/dev/null 2>&1 || ! command -v age-keygen >/dev/null 2>&1; then
        echo "skipped: the age CLI is not installed (apt-get install age)"
        record "seal 2 KB .env vs age" "skipped" "-" "-" "<= age" skip
        return
    fi
    ensure_rage
    local dir="$WORK/seal"
    mkdir -p "$dir"
    cd "$dir"
    age-keygen -o id.txt 2>/dev/null
    local r
    r=$(age-keygen -y id.txt)
    "$PY" -c 'import secrets
print("".join(f"SECRET_{i:02d}={secrets.token_hex(16)}\n" for i in range(40)), end="")' >small.env
    "$ENVMINT" seal -r "$r" -o small.age small.env
    local json="$WORK/seal.json" what
    for what in seal unseal; do
        local cmds=()
        if [ "$what" = seal ]; then
            cmds=(-n "envmint seal -r" "$ENVMINT seal -r $r -o e.age small.env"
                -n "age -e -r" "age -e -r $r -o a.age small.env")
            [ -n "$RAGE" ] && cmds+=(-n "rage -e -r" "$RAGE -e -r $r -o r.age small.env")
        else
            cmds=(-n "envmint unseal -i" "$ENVMINT unseal -i id.txt -o e.env small.age"
                -n "age -d -i" "age -d -i id.txt -o a.env small.age")
            [ -n "$RAGE" ] && cmds+=(-n "rage -d -i" "$RAGE -d -i id.txt -o r.env small.age")
        fi
        rm -f e.age a.age r.age e.env a.env r.env
        hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS_FAST" \
            --export-json "$json" "${cmds[@]}"
        local e o ratio
        e=$(median_ms "$json" 0)
        o=$(median_ms "$json" 1)
        ratio=$(calc "$o / $e")
        record "$what 2 KB .env vs age" "$(fmt 2 "$e") ms" "$(fmt 2 "$o") ms" \
            "$(fmt 2 "$ratio")x" "no slower" "$(at_least "$ratio" 1)"
        if [ -n "$RAGE" ]; then
            o=$(median_ms "$json" 2)
            ratio=$(calc "$o / $e")
            record "$what 2 KB .env vs rage" "$(fmt 2 "$e") ms" "$(fmt 2 "$o") ms" \
                "$(fmt 2 "$ratio")x" "no slower" "$(at_least "$ratio" 1)"
        fi
    done

    log "a 200 MB file through seal -r / unseal -i -o: time vs age, peak memory"
    head -c 200000000 /dev/urandom >big
    "$ENVMINT" seal -r "$r" -o big.age big
    local runs=$((QUICK == 1 ? 2 : 5))
    for what in seal unseal; do
        local cmds=()
        if [ "$what" = seal ]; then
            cmds=(-n "envmint seal" "$ENVMINT seal -r $r -o e.big.age big"
                -n "age -e" "age -e -r $r -o a.big.age big")
        else
            cmds=(-n "envmint unseal" "$ENVMINT unseal -i id.txt -o e.big big.age"
                -n "age -d" "age -d -i id.txt -o a.big big.age")
        fi
        rm -f e.big.age a.big.age e.big a.big
        hyperfine -N --style basic --warmup 1 --runs "$runs" --export-json "$json" "${cmds[@]}"
        local e o ratio
        e=$(median_ms "$json" 0)
        o=$(median_ms "$json" 1)
        ratio=$(calc "$e / $o")
        record "$what 200 MB vs age (time)" "$(fmt 0 "$e") ms" "$(fmt 0 "$o") ms" \
            "$(fmt 2 "$ratio")x age" "<= 1.3x age" "$(calc "int($ratio <= 1.3)")"
    done
    if [ -x /usr/bin/time ]; then
        local kb mb
        rm -f e.big
        kb=$(/usr/bin/time -f '%M' "$ENVMINT" unseal -i id.txt -o e.big big.age 2>&1 | tail -n 1)
        mb=$(calc "$kb * 1024 / 1e6")
        cmp -s big e.big || { echo "bench.sh: unseal of the 200 MB file differs" >&2; return 1; }
        record "unseal 200 MB -o (peak RSS)" "$(fmt 1 "$mb") MB" "-" "-" "< 20 MB (flat)" \
            "$(calc "int($mb < 20)")"
    fi
    rm -f big big.age e.big.age a.big.age e.big a.big
}

# An age header of 4,000 recipient stanzas (the first one ours): the age crate parses a header
# again after every line it reads, which took 233 s for 4,000 stanzas before envmint read the
# header ahead; the age CLI takes well under a second.
bench_seal_header() {
    log "unseal a file sealed to 4,000 recipients: envmint vs age"
    if ! command -v age >/dev/null 2>&1 || ! command -v age-keygen >/dev/null 2>&1; then
        echo "skipped: the age CLI is not installed (apt-get install age)"
        record "unseal 4,000-stanza header vs age" "skipped" "-" "-" "< 1 s" skip
        return
    fi
    local dir="$WORK/seal-header"
    mkdir -p "$dir"
    cd "$dir"
    age-keygen -o id.txt 2>/dev/null
    age-keygen -y id.txt >recipients.txt
    local i
    for i in $(seq 3999); do
        age-keygen 2>/dev/null | sed -n 's/^# public key: //p'
    done >>recipients.txt
    echo "A=1" | age -e -R recipients.txt -o many.age
    local json="$WORK/seal-header.json"
    rm -f e.env a.env
    hyperfine -N --style basic --warmup 1 --runs "$RUNS_FAST" --export-json "$json" \
        -n "envmint unseal" "$ENVMINT unseal -i id.txt -o e.env many.age" \
        -n "age -d" "age -d -i id.txt -o a.env many.age"
    local e o
    e=$(median_ms "$json" 0)
    o=$(median_ms "$json" 1)
    record "unseal 4,000-stanza header vs age" "$(fmt 0 "$e") ms" "$(fmt 0 "$o") ms" \
        "$(fmt 2 "$(calc "$e / $o")")x age" "< 1 s" "$(calc "int($e < 1000)")"
}

# audit_git_fixture DIR: a git repository of 5,000 commits over 2,000 files (~1 KB each, three
# changed per commit), built with one `git fast-import` stream; commit 2,500 adds the value of
# SECRET_KEY of .env.production.local (not tracked) to config/settings.py, 2,501 removes it.
audit_git_fixture() {
    local dir=$1
    rm -rf "$dir"
    mkdir -p "$dir"
    git -C "$dir" init -q -b main
    "$PY" - <<'PY' | git -C "$dir" fast-import --quiet
import random, sys
out = sys.stdout.buffer
rnd = random.Random(7)
SECRET = "5d41402abc4b2a76b9719d911017c592" * 2
FILES, COMMITS = 2000, 5000
def path(i): return f"src/d{i % 40:02d}/file{i:04d}.txt"
def content(i, rev):
    words = " ".join(rnd.choice(["alpha", "beta", "gamma", "delta", "omega", "x1", "y2"]) for _ in range(150))
    return f"file {i} revision {rev}\n{words}\n".encode()
def blob(data):
    out.write(b"data %d\n" % len(data)); out.write(data); out.write(b"\n")
for c in range(1, COMMITS + 1):
    out.write(b"commit refs/heads/main\nmark :%d\n" % c)
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1700000000 + c * 60))
    blob(f"commit {c}".encode())
    if c > 1:
        out.write(b"from :%d\n" % (c - 1))
    changed = range(FILES) if c == 1 else [(c * 7) % FILES, (c * 13 + 1) % FILES, (c * 31 + 2) % FILES]
    for i in changed:
        out.write(b"M 100644 inline %s\n" % path(i).encode()); blob(content(i, c))
    if c == COMMITS // 2:
        out.write(b"M 100644 inline config/settings.py\n"); blob(f"SECRET_KEY = '{SECRET}'\n".encode())
    if c == COMMITS // 2 + 1:
        out.write(b"D config/settings.py\n")
PY
    git -C "$dir" checkout -q -f main
    printf '.env*.local\n*.age.key\n' >"$dir/.gitignore"
    {
        printf '[environments.production]\n[secrets.SECRET_KEY]\nkind = "hex"\nbytes = 32\n'
    } >"$dir/envmint.toml"
    printf 'SECRET_KEY=%s\n' "$(printf '5d41402abc4b2a76b9719d911017c592%.0s' 1 2)" \
        >"$dir/.env.production.local"
    chmod 600 "$dir/.env.production.local"
    touch "$dir/.fixture-v1"
}

bench_audit_git() {
    log "audit --git: 5,000 commits, 2,000 files, one value committed then removed"
    local cache="${XDG_CACHE_HOME:-$HOME/.cache}/envmint-bench" json="$WORK/audit-git.json"
    local dir="$cache/audit-git-5000x2000"
    if [ ! -f "$dir/.fixture-v1" ]; then
        echo "building the fixture repository in $dir (once)"
        mkdir -p "$cache"
        local start=$SECONDS
        audit_git_fixture "$dir"
        echo "built in $((SECONDS - start)) s"
    fi
    local found
    found=$(cd "$dir" && "$ENVMINT" audit production --git --json 2>/dev/null || true)
    if ! grep -q '"check": "git-history"' <<<"$found" || ! grep -q 'config/settings.py' <<<"$found"; then
        echo "bench.sh: audit --git did not find the removed value" >&2
        record "audit --git, 5,000 commits x 2,000 files" "failed" "-" "-" "< 5 s" fail
        return
    fi
    echo "objects: $(git -C "$dir" count-objects -v | tr '\n' ' ')"
    (cd "$dir" && hyperfine -N -i --style basic --warmup 1 --runs "$RUNS_SLOW" \
        --export-json "$json" -n "envmint audit production --git" \
        "$ENVMINT audit production --git")
    local e
    e=$(median_ms "$json" 0)
    record "audit --git, 5,000 commits x 2,000 files" "$(fmt 0 "$e") ms" "-" "-" "< 5 s" \
        "$(calc "int($e < 5000)")"
}

bench_export() {
    log "export of a 10,000-key (~1 MB) environment, each format, to stdout and to a file (-o)"
    local dir="$WORK/export" json="$WORK/export.json" format e i=0 how
    mkdir -p "$dir"
    make_env_file "$dir/.env.production.local" 10000
    printf '[environments.production]\nfile = ".env.production.local"\n\n[secrets.KEY_0]\nkind = "hex"\n' \
        >"$dir/envmint.toml"
    local -a names=() commands=()
    # k8s refuses over 1 MiB of values: 10,000 x 64 hex characters is 640 KB.
    for format in dotenv docker-env json shell k8s; do
        names+=(-n "export --format $format --stdout")
        commands+=("$ENVMINT export production --all-keys --format $format --stdout")
        names+=(-n "export --format $format -o FILE")
        commands+=("$ENVMINT export production --all-keys --format $format -o out.$format")
    done
    (cd "$dir" && hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS_BIG" \
        --export-json "$json" "${names[@]}" "${commands[@]}")
    for format in dotenv docker-env json shell k8s; do
        for how in "--stdout" "-o FILE (fsync)"; do
            e=$(median_ms "$json" "$i")
            record "export 10,000 keys --format $format $how" "$(fmt 2 "$e") ms" "-" "-" \
                "< 30 ms" "$(calc "int($e < 30)")"
            i=$((i + 1))
        done
    done
    # docker-secrets: 10,000 files. The first run writes each through the atomic writer (an
    # fsync per file: seconds); later runs find them unchanged and write nothing.
    local secrets="$ENVMINT export production --all-keys --format docker-secrets -o secrets"
    (cd "$dir" && hyperfine -N --style basic --runs 2 --export-json "$json.w" \
        --prepare "rm -rf secrets" -n "docker-secrets, 10,000 new files" "$secrets")
    (cd "$dir" && hyperfine -N --style basic --warmup 1 --runs "$RUNS_SLOW" \
        --export-json "$json.u" -n "docker-secrets, 10,000 unchanged files" "$secrets")
    e=$(median_ms "$json.w" 0)
    record "export 10,000 keys docker-secrets, new files" "$(fmt 0 "$e") ms" "-" "-" \
        "< 30 ms" "$(calc "int($e < 30)")"
    e=$(median_ms "$json.u" 0)
    record "export 10,000 keys docker-secrets, unchanged" "$(fmt 1 "$e") ms" "-" "-" \
        "< 30 ms" "$(calc "int($e < 30)")"
}

bench_run() {
    log "run: envmint run production -- true  vs  true"
    local dir="$WORK/run" json="$WORK/run.json" e o d
    mkdir -p "$dir"
    if ! (cd "$dir" && "$ENVMINT" bootstrap production >/dev/null 2>&1); then
        record "run -- true, added start time" "failed" "-" "-" "<= 2 ms" fail
        return
    fi
    (cd "$dir" && hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS_FAST" \
        --export-json "$json" -n "envmint run production -- true" -n "true" \
        "$ENVMINT run production -- true" "true")
    e=$(median_ms "$json" 0)
    o=$(median_ms "$json" 1)
    d=$(calc "$e - $o")
    record "run -- true, added start time" "$(fmt 2 "$e") ms" "$(fmt 2 "$o") ms" \
        "+$(fmt 2 "$d") ms" "<= 2 ms" "$(calc "int($d <= 2)")"
}

# has_command NAME: whether `envmint NAME` is in this build.
has_command() {
    if ! "$ENVMINT" "$1" --help >/dev/null 2>&1; then
        echo "skipped: \`envmint $1 --help\` fails (not in this build yet)"
        return 1
    fi
}

bench_rotate() {
    log "rotate --due on 10,000 managed keys (~1 MB), 10% due: plain and sealed"
    if ! has_command rotate; then
        record "rotate --due, 10,000 keys, 10% due" "skipped" "-" "-" "< 50 ms" skip
        return
    fi
    local dir="$WORK/rotate" json="$WORK/rotate.json" at="2030-06-01T00:00:00Z" recipient
    mkdir -p "$dir"
    recipient=$(cd "$dir" && "$ENVMINT" keygen -o id.txt 2>&1 | sed 's/^Public key: //')
    # 10,000 declared keys (every 10th due: its record is 151 days old, the others' 31 days,
    # against the default 90d) in a manifest of ~450 KB, and a ~1.1 MB file with a record above
    # each key.
    "$PY" - "$dir" "$recipient" <<'PY'
import os, sys
d, recipient = sys.argv[1], sys.argv[2]
with open(os.path.join(d, "envmint.toml"), "w") as f:
    f.write('[defaults]\nrotate_every = "90d"\n\n')
    f.write('[environments.plain]\nfile = ".env.plain.local"\n\n')
    f.write(f'[environments.sealed]\nsealed = ".env.sealed.age"\nrecipients = ["{recipient}"]\n\n')
    for i in range(10_000):
        f.write(f'[secrets.KEY_{i:05d}]\nkind = "hex"\nbytes = 32\n')
with open(os.path.join(d, "base.env"), "w") as f:
    for i in range(10_000):
        when = "2030-01-01T00:00:00Z" if i % 10 == 0 else "2030-05-01T00:00:00Z"
        f.write(f"# envmint: generated={when}\nKEY_{i:05d}={os.urandom(32).hex()}\n")
PY
    (
        cd "$dir"
        cp base.env .env.sealed.local
        "$ENVMINT" seal sealed --remove-plaintext >/dev/null 2>&1
        mv .env.sealed.age base.age
    ) || {
        record "rotate --due, 10,000 keys, 10% due" "failed" "-" "-" "< 50 ms" fail
        return
    }
    local mb
    mb=$(calc "$(wc -c <"$dir/base.env") / 1e6")
    echo "file: $(fmt 2 "$mb") MB, manifest: $(fmt 0 "$(calc "$(wc -c <"$dir/envmint.toml") / 1e3")") KB"

    # One checked run first: exactly the 1,000 due keys get a new value and a new record.
    (cd "$dir" && cp base.env .env.plain.local && chmod 600 .env.plain.local &&
        "$ENVMINT" rotate plain --due --at "$at" >/dev/null 2>&1) || {
        record "rotate --due, 10,000 keys, 10% due" "failed" "-" "-" "< 50 ms" fail
        return
    }
    local rotated
    rotated=$(grep -c "^# envmint: generated=$at" "$dir/.env.plain.local" || true)
    echo "one run rotated $rotated keys (expected 1000)"
    [ "$rotated" = 1000 ] || echo "warning: rotate --due rotated $rotated keys, not 1000" >&2

    # Each run starts from the same files: --prepare copies them back.
    (cd "$dir" && ENVMINT_IDENTITY=id.txt hyperfine -N --style basic --warmup 2 \
        --runs "$RUNS_BIG" --export-json "$json" \
        --prepare "cp base.env .env.plain.local" \
        -n "rotate plain --due (10,000 keys, 1,000 due)" "$ENVMINT rotate plain --due --at $at" \
        --prepare "cp base.age .env.sealed.age" \
        -n "rotate sealed --due (10,000 keys, 1,000 due)" "$ENVMINT rotate sealed --due --at $at")
    local rp rs r_rot
    rp=$(median_ms "$json" 0)
    rs=$(median_ms "$json" 1)
    r_rot=$(calc "$rs / $rp")
    echo "=> rotate: plain $(fmt 2 "$rp") ms, sealed $(fmt 2 "$rs") ms (sealed/plain $(fmt 2 "$r_rot")x)"
    record "rotate --due, 10,000 keys (1,000 due), plain" "$(fmt 2 "$rp") ms" "-" "-" "< 50 ms" \
        "$(calc "int($rp < 50)")"
    record "rotate --due, sealed vs plain" "$(fmt 2 "$rs") ms" "$(fmt 2 "$rp") ms" \
        "$(fmt 2 "$r_rot")x" "<= 1.5x plain" "$(calc "int($r_rot <= 1.5)")"
}

bench_merge() {
    log "git merge driver: a sealed store of 1,000 keys, 100 changed per branch, 10 rotated on both"
    local dir="$WORK/merge" json="$WORK/merge.json" recipient
    mkdir -p "$dir"
    recipient=$(cd "$dir" && "$ENVMINT" keygen -o id.txt 2>&1 | sed 's/^Public key: //')
    "$PY" - "$dir" "$recipient" <<'PY'
import os, sys
d, recipient = sys.argv[1], sys.argv[2]
with open(os.path.join(d, "envmint.toml"), "w") as f:
    f.write(f'[environments.prod]\nsealed = ".env.prod.age"\nrecipients = ["{recipient}"]\n\n')
    for i in range(1000):
        f.write(f'[secrets.KEY_{i:04d}]\nkind = "hex"\nbytes = 32\noverlap = "7d"\n')
def write(name, changed, when):
    with open(os.path.join(d, name), "w") as f:
        for i in range(1000):
            t = when if i in changed else "2030-01-01T00:00:00Z"
            v = os.urandom(32).hex() if i in changed else f"{i:064x}"
            f.write(f"# envmint: generated={t}\nKEY_{i:04d}={v}\n")
both = set(range(990, 1000))
write("base.env", set(), None)
write("ours.env", set(range(0, 100)) | both, "2030-02-01T00:00:00Z")
write("theirs.env", set(range(100, 200)) | both, "2030-02-02T00:00:00Z")
PY
    (
        cd "$dir"
        for side in base ours theirs; do
            cp "$side.env" .env.prod.local
            "$ENVMINT" seal prod --remove-plaintext >/dev/null 2>&1
            mv .env.prod.age "$side.age"
        done
        cp ours.age cur.age
        ENVMINT_IDENTITY=id.txt "$ENVMINT" git merge base.age cur.age theirs.age .env.prod.age
    ) || {
        record "git merge driver, 1,000 keys" "failed" "-" "-" "< 100 ms" fail
        return
    }
    (cd "$dir" && ENVMINT_IDENTITY=id.txt hyperfine -N --style basic --warmup 2 \
        --runs "$RUNS_BIG" --export-json "$json" --prepare "cp ours.age cur.age" \
        -n "git merge driver (1,000 keys)" \
        "$ENVMINT git merge base.age cur.age theirs.age .env.prod.age")
    local m
    m=$(median_ms "$json" 0)
    echo "=> merge driver: $(fmt 2 "$m") ms"
    record "git merge driver, 1,000-key sealed store" "$(fmt 2 "$m") ms" "-" "-" "< 100 ms" \
        "$(calc "int($m < 100)")"
}

summary() {
    log "summary ($([ "$QUICK" = 1 ] && echo quick || echo full) run)"
    {
        printf 'what\tenvmint\tother\tratio\ttarget\tresult\n'
        cat "$RESULTS"
    } | "$PY" -c 'import sys
rows = [line.rstrip("\n").split("\t") for line in sys.stdin]
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for n, r in enumerate(rows):
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if n == 0:
        print("  ".join("-" * w for w in widths))'
}

bench_status() {
    log "status: 10,000 managed keys with records, 10% due, plain and sealed"
    if ! "$ENVMINT" status --help >/dev/null 2>&1; then
        record "status, 10,000 keys" "skipped" "-" "-" "< 30 ms" skip
        return
    fi
    local dir="$WORK/status" json="$WORK/status.json" recipient
    mkdir -p "$dir/plain" "$dir/sealed"
    recipient=$(cd "$dir/sealed" && "$ENVMINT" keygen -o id.txt 2>&1 | sed 's/^Public key: //')
    "$PY" - "$dir" "$recipient" <<'PY'
import os, sys
dir, recipient = sys.argv[1], sys.argv[2]
keys = 10000
secrets = "".join(f'[secrets.KEY_{i}]\nkind = "hex"\n' for i in range(keys))
with open(f"{dir}/plain/envmint.toml", "w") as f:
    f.write('[environments.production]\nfile = ".env.production.local"\n' + secrets)
with open(f"{dir}/sealed/envmint.toml", "w") as f:
    f.write('[environments.production]\nfile = ".env.production.local"\n'
            f'sealed = ".env.production.age"\nrecipients = ["{recipient}"]\n' + secrets)
for sub in ("plain", "sealed"):
    path = f"{dir}/{sub}/.env.production.local"
    with open(path, "w") as f:
        for i in range(keys):
            # Evaluated at 2026-11-23: every tenth key is 100 days old (due), the rest 10.
            t = "2026-08-15T00:00:00Z" if i % 10 == 0 else "2026-11-13T00:00:00Z"
            f.write(f"# envmint: generated={t}\nKEY_{i}={os.urandom(32).hex()}\n")
    os.chmod(path, 0o600)
PY
    (cd "$dir/sealed" && "$ENVMINT" seal production --remove-plaintext 2>/dev/null)
    (cd "$dir" && hyperfine -N --style basic --warmup "$WARMUP" \
        --runs "$RUNS_FAST" --export-json "$json" \
        -n "status, plain" "$ENVMINT --manifest plain/envmint.toml status --at 2026-11-23" \
        -n "status, sealed" \
        "$ENVMINT --manifest sealed/envmint.toml status -i sealed/id.txt --at 2026-11-23")
    local p s ratio due
    due=$(cd "$dir" && "$ENVMINT" --manifest plain/envmint.toml status --at 2026-11-23 --json |
        "$PY" -c 'import json, sys; print(sum(r["state"] == "due" for r in json.load(sys.stdin)))')
    [ "$due" = 1000 ] || echo "warning: status found $due due keys, not 1000" >&2
    p=$(median_ms "$json" 0)
    s=$(median_ms "$json" 1)
    ratio=$(calc "$s / $p")
    record "status, 10,000 keys (~1 MB), 10% due" "$(fmt 2 "$p") ms" "-" "-" "< 30 ms" \
        "$(calc "int($p < 30)")"
    record "status sealed / plain" "$(fmt 2 "$s") ms" "$(fmt 2 "$p") ms" "$(fmt 2 "$ratio")x" \
        "<= 1.5x" "$(calc "int($ratio <= 1.5)")"
}

SECTIONS=(bench_gen bench_throughput bench_bootstrap bench_big_file bench_memory bench_memory_read
    bench_seal bench_seal_header bench_sealed_noop bench_status bench_audit_git bench_export bench_run bench_rotate bench_merge)
# BENCH_ONLY="bench_audit_git ..." runs only those sections.
if [ -n "${BENCH_ONLY:-}" ]; then
    read -ra SECTIONS <<<"$BENCH_ONLY"
fi

main() {
    ensure_tools
    build
    local section status
    for section in "${SECTIONS[@]}"; do
        # A failing section is reported and the others still run. (Not `if ! section`: that
        # would switch off errexit inside the section.)
        set +e
        (
            set -e
            "$section"
        )
        status=$?
        set -e
        if [ "$status" != 0 ]; then
            echo "bench.sh: section $section failed (exit $status)" >&2
            record "$section" "failed" "-" "-" "-" fail
        fi
    done
    summary
}

main
