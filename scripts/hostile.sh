#!/usr/bin/env bash
# hostile.sh -- hostile sizes (issue 19): runs envmint on inputs at and past its documented
# limits and prints, for each, the exit status, the first error line, the wall time and the peak
# resident memory (GNU time). It is a report, not a gate: the README's limits table says what is
# expected; scripts/bench.sh has the scaling runs.
#
#   scripts/hostile.sh                       # builds release, runs every case
#   ENVMINT=target/debug/envmint scripts/hostile.sh
#
# Cases: a 64 MiB .env (the limit) and one byte more; one 100 MB line; 1,000,000 keys; a value
# of 10,000,000 repeated quotes; a 100 MB age file with 4,000 stanzas (header ~1 MB, payload past
# the 64 MiB plaintext limit); an age header of 20 MB (past its 16 MiB limit); a manifest with
# 100,000 secrets (past the 1 MiB manifest limit) and one of 1 MiB with 14,000 secrets.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${ENVMINT:-} ]]; then
    cargo build --release --locked --quiet --manifest-path "$root/Cargo.toml"
    ENVMINT=${CARGO_TARGET_DIR:-$root/target}/release/envmint
fi
ENVMINT=$(realpath "$ENVMINT")
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/envmint-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export ENVMINT_LOCK_TIMEOUT=5

# measure NAME CMD...: runs CMD, prints one row.
measure() {
    local name=$1 status=0
    shift
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" > /dev/null 2> "$work/err" || status=$?
    read -r secs kb < <(tail -1 "$work/time")
    local first
    first=$(grep -m1 -E '^(error|warning)' "$work/err" | cut -c1-90 || true)
    printf '%-34s exit %-3s %7ss %7s MB  %s\n' "$name" "$status" "$secs" "$((kb / 1024))" "${first:-ok}"
}

keygen_out=$("$ENVMINT" keygen -o id.txt 2>&1)
recipient=${keygen_out#Public key: }
export ENVMINT_IDENTITY=$work/id.txt

# A .env of exactly N bytes: KEY=hex lines, padded by one comment line.
dotenv_of() {
    local bytes=$1 out=$2
    python3 - "$bytes" "$out" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
buf = bytearray()
i = 0
while len(buf) + 64 < n:
    buf += b"OTHER_%07d=%s\n" % (i, b"a" * 40)
    i += 1
buf += b"#" * (n - len(buf) - 1) + b"\n"
open(out, "wb").write(buf)
PY
}

mkdir limit over line keys quotes age header manifest manifest1m
dotenv_of $((64 * 1024 * 1024)) limit/.env.production.local
dotenv_of $((64 * 1024 * 1024 + 1)) over/.env.production.local
python3 -c 'import sys; sys.stdout.write("A=" + "x" * 100_000_000 + "\n")' > line/.env.production.local
python3 -c '
import sys
w = sys.stdout.write
for i in range(1_000_000): w("K%07d=%s\n" % (i, "v" * 8))' > keys/.env.production.local
python3 -c 'import sys; sys.stdout.write("A=\"" + "\\\"" * 5_000_000 + "\"\nB=" + "\x27" * 10_000_000 + "\n")' > quotes/.env.production.local
chmod 600 ./*/.env.production.local

measure "bootstrap 64 MiB .env (limit)" sh -c "cd limit && exec '$ENVMINT' bootstrap production"
measure "bootstrap 64 MiB + 1 byte" sh -c "cd over && exec '$ENVMINT' bootstrap production"
measure "bootstrap 100 MB line" sh -c "cd line && exec '$ENVMINT' bootstrap production"
measure "bootstrap 1,000,000 keys" sh -c "cd keys && exec '$ENVMINT' bootstrap production"
measure "get, 10M repeated quotes" sh -c "cd quotes && exec '$ENVMINT' get production A"

# A 100 MB age file to 4,000 recipients (the last one ours): 100 MB of plaintext.
python3 -c 'import sys; sys.stdout.write("X=" + "y" * 100_000_000 + "\n")' > age/plain
{
    for i in $(seq 1 40); do "$ENVMINT" keygen 2>/dev/null | sed -n 's/^# public key: //p'; done
} > age/some-recipients
# 4,000 stanzas: the 40 keys above repeated 100 times (age encrypts once per recipient line).
: > age/recipients
for i in $(seq 1 100); do cat age/some-recipients >> age/recipients; done
sed -i '$d' age/recipients; echo "$recipient" >> age/recipients
measure "seal 100 MB, 4,000 recipients" "$ENVMINT" seal -R age/recipients -o age/big.age age/plain
ls -l age/big.age | awk '{printf "  (age file: %d MB)\n", $5 / 1000000}'
measure "unseal 100 MB, 4,000 stanzas" "$ENVMINT" unseal age/big.age
measure "unseal 100 MB to -o" "$ENVMINT" unseal age/big.age -o age/out
python3 -c '
import sys
sys.stdout.write("age-encryption.org/v1\n")
for i in range(200_000):
    sys.stdout.write("-> X25519 " + "A" * 43 + "\n" + "B" * 43 + "\n")
' > header/big.age
measure "unseal 20 MB header" "$ENVMINT" unseal header/big.age

python3 -c '
import sys
w = sys.stdout.write
w("[environments.production]\n")
for i in range(100_000): w("[secrets.S%06d]\n" % i)' > manifest/envmint.toml
measure "manifest, 100,000 secrets (4 MB)" sh -c "cd manifest && exec '$ENVMINT' status"
python3 -c '
import sys
w = sys.stdout.write
w("[environments.production]\n")
n = 0
i = 0
while n < 1024 * 1024 - 40:
    s = "[secrets.S%05d]\n" % i
    w(s); n += len(s); i += 1
sys.stderr.write("%d secrets\n" % i)' > manifest1m/envmint.toml 2> manifest1m/count
measure "manifest 1 MiB, $(cut -d' ' -f1 manifest1m/count) secrets, status" sh -c "cd manifest1m && exec '$ENVMINT' status"
measure "manifest 1 MiB, bootstrap" sh -c "cd manifest1m && exec '$ENVMINT' bootstrap production"
