#!/usr/bin/env sh
# generate-secrets.sh: drop-in replacement for the script of the same name that web projects
# ship. Copy it over your old scripts/generate-secrets.sh.
#
#   scripts/generate-secrets.sh                 # every environment envmint.toml declares
#   scripts/generate-secrets.sh production      # just these
#
# It runs `envmint bootstrap`: every declared secret that an environment's file lacks is
# generated and appended; existing values are never changed; files are written 0600 from the
# first byte, atomically. Without an envmint.toml, envmint's built-in web preset is used
# (development, staging, production -> .env.<name>.local). Extra flags such as --dry-run or
# --json are passed through.
set -eu

if ! command -v envmint >/dev/null 2>&1; then
  cat >&2 <<'MSG'
error: envmint is not installed
hint: install it from a checkout of envmint with `cargo install --locked --path .`
      (it lands in ~/.cargo/bin; make sure that is on PATH), then run this script again.
MSG
  exit 127
fi

# Environments named? Skip flags, and the value after a flag that takes one (--manifest PATH).
takes_value=0
for arg in "$@"; do
  if [ "$takes_value" = 1 ]; then takes_value=0; continue; fi
  case "$arg" in
    --manifest) takes_value=1 ;;
    -*) ;;
    *) exec envmint bootstrap "$@" ;;
  esac
done
exec envmint bootstrap --all "$@"
