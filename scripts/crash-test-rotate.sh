#!/usr/bin/env bash
# crash-test-rotate.sh [KILLS] -- SIGKILL `envmint rotate --all` at random moments over one
# sealed and one plain environment and check that each store is always the complete old or
# the complete new version, 0600 (issue 9: "a SIGKILL loop over rotate leaves every file the
# complete old or the complete new version, 0600").
#
# Each round: restore both stores (~100 KB each, 3,000 unmanaged keys and JWT with a list of
# retired values), start `envmint rotate --all`, SIGKILL it after a random delay, then check
# each store on its own (a kill between the two renames leaves one new and one old, which is
# allowed: `rotate` renews the other on its next run):
#   - mode 600; the sealed one decrypts;
#   - old: the exact old plaintext;
#   - new: every line but JWT's, JWT_PREV's and their records is the old one, JWT is a new
#     value, JWT_PREV starts with the old JWT, and both have their `# envmint:` record.
# Then one clean run must leave no temporary file. Exits 1 on any violation, 2 on a setup
# failure.
#
#   scripts/crash-test-rotate.sh          # 150 kills
#   scripts/crash-test-rotate.sh 30       # short mode for CI
#   ENVMINT=path/to/envmint scripts/crash-test-rotate.sh
set -euo pipefail

kills=${1:-150}
[[ $kills =~ ^[0-9]+$ ]] || { echo "usage: $0 [KILLS]" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${ENVMINT:-} ]]; then
    cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
    ENVMINT=${CARGO_TARGET_DIR:-$root/target}/release/envmint
fi
ENVMINT=$(realpath "$ENVMINT")

work=$(mktemp -d "${TMPDIR:-/tmp}/envmint-crash-rotate.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/run"
cd "$work/run"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
unset ENVMINT_AGE_KEY
"$ENVMINT" keygen -o "$work/id.txt" > /dev/null 2>&1 || { echo "setup: keygen failed" >&2; exit 2; }
export ENVMINT_IDENTITY=$work/id.txt
public=$(grep -o 'age1[0-9a-z]*' "$work/id.txt" | head -1)
[[ -n $public ]] || { echo "setup: no public key in the identity file" >&2; exit 2; }

cat > envmint.toml << EOF
[environments.production]
sealed = ".env.production.age"
recipients = ["$public"]
[environments.staging]
file = ".env.staging"
[secrets.JWT]
kind = "hex"
overlap = "7d"
previous = { list = "JWT_PREV", separator = ",", keep = 3 }
EOF

awk 'BEGIN { srand(11); for (i = 0; i < 3000; i++) {
        v = ""; for (j = 0; j < 32; j++) v = v sprintf("%x", int(rand() * 16));
        printf "OTHER_KEY_%05d=%s\n", i, v } }' > "$work/other"
for env in production staging; do
    cp "$work/other" "$work/$env.plain"
done
"$ENVMINT" seal -r "$public" -o .env.production.age "$work/production.plain" > /dev/null 2>&1 \
    || { echo "setup: seal failed" >&2; exit 2; }
cp "$work/staging.plain" .env.staging
chmod 600 .env.production.age .env.staging
# Two rotations, so JWT has a record and a list of retired values before the kills start.
for at in 2026-01-01 2026-02-01; do
    "$ENVMINT" bootstrap production staging > /dev/null 2>&1
    "$ENVMINT" rotate --all --at "$at" > /dev/null 2>&1 || { echo "setup: rotate failed" >&2; exit 2; }
done
cp .env.production.age "$work/old.age"
cp .env.staging "$work/old.staging"
"$ENVMINT" unseal --stdout "$work/old.age" > "$work/production.old" 2> /dev/null \
    || { echo "setup: unseal failed" >&2; exit 2; }
cp "$work/old.staging" "$work/staging.old"

restore() {
    cp "$work/old.age" .env.production.age
    cp "$work/old.staging" .env.staging
    chmod 600 .env.production.age .env.staging
}
temps() { compgen -G '.*.envmint-tmp.*' || true; }
rotated_lines() { grep -v -E '^(JWT=|JWT_PREV=|# envmint:)' "$1"; }
value_of() { sed -n "s/^$2=//p" "$1" | tail -1; }

# check ENV STORE PLAIN: sets `state` (old/new) or `why` and returns 1.
check() {
    local env=$1 store=$2 plain=$3 old=$work/$1.old
    state='' why=''
    local mode
    mode=$(stat -c %a "$store" 2> /dev/null) || { why="$store missing"; return 1; }
    [[ $mode == 600 ]] || { why="$store is mode $mode"; return 1; }
    if [[ $store == *.age ]]; then
        "$ENVMINT" unseal --stdout "$store" > "$plain" 2> /dev/null || { why="$store does not decrypt"; return 1; }
    else
        cp "$store" "$plain"
    fi
    if cmp -s "$old" "$plain"; then state=old; return 0; fi
    cmp -s <(rotated_lines "$old") <(rotated_lines "$plain") || { why="$env: other lines changed"; return 1; }
    local old_jwt new_jwt prev
    old_jwt=$(value_of "$old" JWT) new_jwt=$(value_of "$plain" JWT) prev=$(value_of "$plain" JWT_PREV)
    [[ ${#new_jwt} == 64 && $new_jwt != "$old_jwt" ]] || { why="$env: JWT is not a new value"; return 1; }
    [[ ${prev%%,*} == "$old_jwt" ]] || { why="$env: JWT_PREV does not start with the old JWT"; return 1; }
    [[ $(grep -c '^# envmint: ' "$plain") == 2 ]] || { why="$env: records missing"; return 1; }
    state=new
}

violations=0
declare -A seen=()
for ((i = 1; i <= kills; i++)); do
    restore
    "$ENVMINT" rotate --all > /dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 30)))"
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    states=''
    for pair in "production .env.production.age" "staging .env.staging"; do
        read -r env store <<< "$pair"
        if ! check "$env" "$store" "$work/$env.now"; then
            echo "VIOLATION round $i: $why" >&2
            violations=$((violations + 1))
            continue
        fi
        states+="$state/"
    done
    seen[$states]=$((${seen[$states]:-0} + 1))
    for t in $(temps); do
        m=$(stat -c %a "$t")
        [[ $m == 600 ]] || { echo "VIOLATION round $i: temp file $t is $m" >&2; violations=$((violations + 1)); }
    done
    "$ENVMINT" rotate --all > /dev/null 2>&1 || { echo "VIOLATION round $i: a clean run failed" >&2; violations=$((violations + 1)); }
    left=$(temps)
    [[ -z $left ]] || { echo "VIOLATION round $i: temp files remain after a clean run: $left" >&2; violations=$((violations + 1)); }
done

echo "kills: $kills; production/staging states after the kill:"
for s in "${!seen[@]}"; do echo "  ${s%/}: ${seen[$s]}"; done
if ((violations > 0)); then
    echo "FAIL: $violations violation(s)" >&2
    exit 1
fi
echo "OK: each store was always the complete old or the complete new version, mode 600"
