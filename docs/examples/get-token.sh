#!/usr/bin/env bash
# Gets an access token by private_key_jwt (SMART Backend Services) with nothing but bash, openssl and curl,
# then calls the API's /api/me. Usage: docs/examples/get-token.sh [clientId] (default: the first RS384 demo client)
# SCOPE sets the scopes asked for (default system/*.rs); TOKEN_ONLY=1 prints the token and nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLIENTS="${CONSENT_DATA_DIR:-$ROOT/.data}/demo/clients.json"
IDENTITY="${IDENTITY_URL:-http://localhost:5001}"
API="${API_URL:-http://localhost:5002}"

# Pick the client's fields from clients.json without a JSON tool: one object per client, keys in a fixed order.
client_json=$(tr -d '\n' <"$CLIENTS" | sed 's/},[[:space:]]*{/}\n{/g' | grep "\"algorithm\": \"RS384\"" |
  { if [ -n "${1:-}" ]; then grep "\"clientId\": \"$1\""; else head -n1; fi; })
field() { printf '%s' "$client_json" | sed -E "s/.*\"$1\": \"([^\"]*)\".*/\1/"; }
client_id=$(field clientId)
kid=$(printf '%s' "$client_json" | sed -E 's/.*"privateJwk": \{[^}]*"kid": "([^"]*)".*/\1/')
key_file=$(mktemp)
trap 'rm -f "$key_file"' EXIT
printf '%b' "$(field privateKeyPem)" >"$key_file"

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS384","typ":"JWT","kid":"%s"}' "$kid" | b64url)
payload=$(printf '{"iss":"%s","sub":"%s","aud":"%s/connect/token","jti":"%s","iat":%d,"exp":%d}' \
  "$client_id" "$client_id" "$IDENTITY" "$(openssl rand -hex 16)" "$now" "$((now + 240))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha384 -sign "$key_file" | b64url)

response=$(curl -fsS "$IDENTITY/connect/token" \
  -d grant_type=client_credentials \
  --data-urlencode scope="${SCOPE:-system/*.rs}" \
  -d client_id="$client_id" \
  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
  -d client_assertion="$header.$payload.$signature")
token=$(printf '%s' "$response" | tr -d '\n' | sed -E 's/.*"access_token": ?"([^"]*)".*/\1/')
if [ "${TOKEN_ONLY:-}" = 1 ]; then
  printf '%s\n' "$token"
  exit 0
fi
echo "Access token for $client_id (valid 5 minutes):"
echo "$token"
echo
echo "GET $API/api/me:"
curl -fsS -H "Authorization: Bearer $token" "$API/api/me"
echo
