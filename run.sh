#!/usr/bin/env bash
# Starts Identity, Consent.Api and Portal on localhost with SQLite under .data/ and demo data.
# Ports: IDENTITY_PORT (5001), API_PORT (5002), PORTAL_PORT (5003). Data: CONSENT_DATA_DIR (.data).
# STORAGE=postgres: the apps keep their stores in PostgreSQL instead: a local server initialised in the data folder
# (.data/postgres, port POSTGRES_PORT, 5433; databases consent, identity and portal), installed from Debian's package
# when missing and stopped with the apps; or the servers given as connection strings in CONSENT_POSTGRES,
# IDENTITY_POSTGRES and PORTAL_POSTGRES (an app whose string is not given then stays on SQLite).
# Ctrl+C stops them all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IDENTITY_PORT="${IDENTITY_PORT:-5001}"
API_PORT="${API_PORT:-5002}"
PORTAL_PORT="${PORTAL_PORT:-5003}"
DATA="${CONSENT_DATA_DIR:-$ROOT/.data}"
IDENTITY_URL="http://localhost:$IDENTITY_PORT"
API_URL="http://localhost:$API_PORT"
PORTAL_URL="http://localhost:$PORTAL_PORT"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download" >&2
  exit 1
fi

mkdir -p "$DATA/logs"
# The API's secret as the provider's introspection client (how revoked tokens reach the API): one per installation.
if [ ! -s "$DATA/introspection.secret" ]; then
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$DATA/introspection.secret")
fi
INTROSPECTION_SECRET="$(cat "$DATA/introspection.secret")"
echo "Building..."
for project in Identity Consent.Api Portal; do
  if ! dotnet build "$ROOT/src/$project" -nologo -v quiet >"$DATA/logs/build-$project.out" 2>&1; then
    cat "$DATA/logs/build-$project.out" >&2
    exit 1
  fi
done

# The tree-head signing key: made here once (every instance of a deployment signs with the same key).
mkdir -p "$DATA/keys"
if [ ! -s "$DATA/keys/disclosure-log-signing.pem" ] && command -v openssl >/dev/null 2>&1; then
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DATA/keys/disclosure-log-signing.pem")
fi

STORAGE="${STORAGE:-sqlite}"
api_storage=()
identity_storage=()
portal_storage=()
postgres_stop=()
if [ "$STORAGE" = "postgres" ]; then
  CONNECTION="${CONSENT_POSTGRES:-}"
  IDENTITY_CONNECTION="${IDENTITY_POSTGRES:-}"
  PORTAL_CONNECTION="${PORTAL_POSTGRES:-}"
  if [ -z "$CONNECTION$IDENTITY_CONNECTION$PORTAL_CONNECTION" ]; then
    pg_tool() { command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1; }
    if [ -z "$(pg_tool initdb)" ]; then
      echo "Installing PostgreSQL..."
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
    fi
    POSTGRES_PORT="${POSTGRES_PORT:-5433}"
    PGDIR="$DATA/postgres"
    as_owner=(); [ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)  # PostgreSQL refuses to run as root
    if [ ! -s "$PGDIR/PG_VERSION" ]; then
      mkdir -p "$PGDIR" && chmod 700 "$PGDIR"
      [ "$(id -u)" -eq 0 ] && chown postgres "$PGDIR"
      "${as_owner[@]}" "$(pg_tool initdb)" -D "$PGDIR" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$DATA/logs/postgres-init.out"
    fi
    touch "$DATA/logs/postgres.out"
    [ "$(id -u)" -eq 0 ] && chown postgres "$DATA/logs/postgres.out"
    if ! "${as_owner[@]}" "$(pg_tool pg_ctl)" status -D "$PGDIR" >/dev/null 2>&1; then
      "${as_owner[@]}" "$(pg_tool pg_ctl)" start -w -D "$PGDIR" -l "$DATA/logs/postgres.out" \
        -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $PGDIR" >/dev/null
    fi
    postgres_stop=("${as_owner[@]}" "$(pg_tool pg_ctl)" stop -w -m fast -D "$PGDIR")
    for database in consent identity portal; do
      psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 \
        || psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -qc "CREATE DATABASE $database" >/dev/null
    done
    CONNECTION="Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=consent"
    IDENTITY_CONNECTION="Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=identity"
    PORTAL_CONNECTION="Host=127.0.0.1;Port=$POSTGRES_PORT;Username=postgres;Database=portal"
  fi
  # Identity's and the portal's keys live in their databases, sealed with this key (one per installation).
  if [ ! -s "$DATA/keys/key-encryption.key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$DATA/keys/key-encryption.key")
  fi
  KEY_ENCRYPTION_KEY="$(cat "$DATA/keys/key-encryption.key")"
  [ -n "$CONNECTION" ] && api_storage=("Storage__Provider=Postgres" "ConnectionStrings__Consent=$CONNECTION")
  [ -n "$IDENTITY_CONNECTION" ] && identity_storage=("Storage__Provider=Postgres" "ConnectionStrings__Identity=$IDENTITY_CONNECTION"
    "KeyRing__KeyEncryptionKey=$KEY_ENCRYPTION_KEY")
  [ -n "$PORTAL_CONNECTION" ] && portal_storage=("Storage__Provider=Postgres" "ConnectionStrings__Portal=$PORTAL_CONNECTION"
    "KeyRing__KeyEncryptionKey=$KEY_ENCRYPTION_KEY")
fi

export ASPNETCORE_ENVIRONMENT=Development
export DOTNET_ENVIRONMENT=Development
export Storage__DataDirectory="$DATA"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${#postgres_stop[@]}" -gt 0 ]; then "${postgres_stop[@]}" >/dev/null 2>&1 || true; fi
}
trap stop INT TERM EXIT

start() { # name project assembly url [KEY=VALUE...]
  local name="$1" project="$2" assembly="$3" url="$4"
  shift 4
  (cd "$ROOT/src/$project" && exec env "$@" dotnet "bin/Debug/net10.0/$assembly.dll" --urls "$url") \
    >"$DATA/logs/$name.out" 2>&1 &
  pids+=("$!")
}

start identity Identity Consent.Identity "$IDENTITY_URL" \
  "Provider__Issuer=$IDENTITY_URL/" \
  "Provider__Portal__RedirectUris__0=$PORTAL_URL/callback/login/local" \
  "Provider__Portal__PostLogoutRedirectUris__0=$PORTAL_URL/callback/logout/local" \
  "Provider__Api__ClientSecret=$INTROSPECTION_SECRET" ${identity_storage[@]+"${identity_storage[@]}"}
start consent-api Consent.Api Consent.Api "$API_URL" "Auth__Authority=$IDENTITY_URL/" \
  "Auth__IntrospectionSecret=$INTROSPECTION_SECRET" ${api_storage[@]+"${api_storage[@]}"}
start portal Portal Consent.Portal "$PORTAL_URL" "Oidc__Authority=$IDENTITY_URL/" "Api__BaseUrl=$API_URL/" \
  ${portal_storage[@]+"${portal_storage[@]}"}

ready() { # url
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/localhost/${1##*:}") 2>/dev/null; then
      if command -v curl >/dev/null 2>&1; then
        curl -fsS "$1/health/ready" >/dev/null 2>&1 && return 0
      else
        return 0
      fi
    fi
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "A service stopped; see $DATA/logs/*.out" >&2; exit 1; }
    done
    sleep 0.5
  done
  echo "$1 did not become ready; see $DATA/logs/*.out" >&2
  exit 1
}
ready "$IDENTITY_URL"; ready "$API_URL"; ready "$PORTAL_URL"

cat <<INFO

  Identity (OpenID provider)  $IDENTITY_URL/.well-known/openid-configuration
  Consent API                 $API_URL/scalar   (OpenAPI: $API_URL/openapi/v1.json; store: $STORAGE)
  Portal                      $PORTAL_URL

  Demo logins (staff also enter a TOTP code: add the secret to an authenticator app, or run
  "dotnet run --project src/Consent.Cli -- demo totp demo-advocate" for the current code):
INFO
awk -F'"' '/"userName"/{u=$4} /"password"/{p=$4} /"role"/{r=$4} /"totpSecret"/{t=$4; if ($3 ~ /null/) t="-"; printf "    %-22s %-15s password %s  totp %s\n", u, r, p, t}' \
  "$DATA/demo/users.json"
cat <<INFO

  Agency API clients (private keys and secrets): $DATA/demo/clients.json
  Platform operator client:                      $DATA/demo/platform-client.json
  Logs: $DATA/logs      Stop: Ctrl+C
INFO

wait -n "${pids[@]}" || true
