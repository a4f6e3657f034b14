#!/usr/bin/env bash
# Builds the solution and runs every test suite. Installs what a fresh machine lacks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

apt_install() { # package...
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
  else
    echo "Please install: $*" >&2
    return 1
  fi
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download" >&2
  exit 1
fi

# Browser tests drive Debian's Chromium (Playwright's own download is not used).
if ls tests/*/*.csproj 2>/dev/null | xargs grep -l "Microsoft.Playwright" >/dev/null 2>&1; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests..."
    apt_install chromium
  fi
  export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
  # Korean pages render as boxes in the screenshots without a CJK font (the checks pass either way).
  if ! fc-list 2>/dev/null | grep -qi "CJK"; then
    echo "Installing a CJK font for the browser screenshots..."
    apt_install fonts-noto-cjk || echo "No CJK font installed: Korean screenshots will show boxes." >&2
  fi
fi

# The PostgreSQL tests start a throwaway server with initdb and pg_ctl, unless CONSENT_TEST_POSTGRES names one.
if [ -z "${CONSENT_TEST_POSTGRES:-}" ]; then
  pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
  if ! command -v initdb >/dev/null 2>&1 && [ -z "$(pg_bin)" ]; then
    echo "Installing PostgreSQL for the PostgreSQL tests..."
    apt_install postgresql
  fi
  if ! command -v initdb >/dev/null 2>&1 && [ -n "$(pg_bin)" ]; then
    export PATH="$PATH:$(pg_bin)"
  fi
fi

echo "Restoring and building..."
dotnet tool restore >/dev/null
dotnet build Consent.sln -nologo -v quiet -clp:ErrorsOnly

echo "Running tests..."
status=0
for project in tests/*/*.csproj; do
  if grep -q "<IsTestProject>true</IsTestProject>" "$project"; then
    dotnet test "$project" --no-build -nologo --logger "console;verbosity=minimal" || status=1
  fi
done

if [ "$status" -ne 0 ]; then
  echo "Some tests failed." >&2
fi
exit "$status"
