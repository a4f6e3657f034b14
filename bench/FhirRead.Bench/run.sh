#!/usr/bin/env bash
# Authorized FHIR read vs the bare read of the same record, over HTTP on localhost with wrk.
# Builds Identity, Consent.Api and the driver in Release, then runs the driver, which starts both apps on free ports
# with a fresh data folder, seeds them over HTTP, runs wrk and prints a markdown table.
# Options (passed to the driver): --rounds 3 --seconds 10 --warmup 10 --connections 32 --threads 1 --keep true (keep the data folder and app logs)
# The load suite: --suite load [--postgres true] [--soak 300] [--token-bodies 20000] (see README.md)
# The growth suite: --suite growth [--scales 10000,1000000,10000000] [--providers sqlite,postgres] [--max-consents 1000000] (see README.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download" >&2
  exit 1
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk..."
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi

# The load suite on PostgreSQL starts a throwaway server from Debian's package.
if { [[ " $* " == *" --postgres true "* ]] || { [[ " $* " == *" --suite growth "* ]] && [[ " $* " != *" --providers sqlite "* ]]; }; } && ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL..."
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
fi

echo "Building (Release)..."
for project in src/Identity src/Consent.Api src/Consent.Cli bench/FhirRead.Bench; do
  if ! out="$(dotnet build "$ROOT/$project" -c Release -nologo -v quiet 2>&1)"; then
    echo "$out" >&2
    exit 1
  fi
done

exec dotnet "$ROOT/bench/FhirRead.Bench/bin/Release/net10.0/Consent.FhirRead.Bench.dll" --root "$ROOT" "$@"
