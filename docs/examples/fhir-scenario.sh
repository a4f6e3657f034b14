#!/usr/bin/env bash
# The FHIR sharing scenario against a running ./run.sh, with curl and jq:
# the shelter writes records, the survivor grants the clinic health records, the clinic reads only those,
# the survivor revokes, the clinic is refused, the police (no grant) are refused, and the survivor sees the log.
# Usage: docs/examples/fhir-scenario.sh   (IDENTITY_URL, API_URL, CONSENT_DATA_DIR as for ./run.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CONSENT_DATA_DIR:-$ROOT/.data}"
IDENTITY="${IDENTITY_URL:-http://localhost:5001}"
API="${API_URL:-http://localhost:5002}"
SURVIVOR_SYSTEM="https://consent.example/fhir/sid/survivor"

step() { printf '\n== %s\n' "$*"; }
# An agency system's token by client secret (docs/examples/get-token.sh shows private_key_jwt).
agency_token() { # clientId scope
  local secret
  secret=$(jq -r --arg id "$1" '.[] | select(.clientId == $id) | .clientSecret' "$DATA/demo/clients.json")
  curl -fsS -u "$1:$secret" -d grant_type=client_credentials --data-urlencode "scope=$2" "$IDENTITY/connect/token" | jq -r .access_token
}
fhir() { # token method path [purpose] [body]
  local args=(-sS -o /tmp/fhir-scenario.json -w '%{http_code}' -X "$2" "$API/fhir/$3" -H "Authorization: Bearer $1")
  [ -n "${4:-}" ] && args+=(-H "X-Purpose-Of-Use: $4")
  [ -n "${5:-}" ] && args+=(-H 'Content-Type: application/fhir+json' --data "$5")
  curl "${args[@]}"
}
expect() { # status got
  if [ "$1" != "$2" ]; then echo "expected HTTP $1, got $2: $(cat /tmp/fhir-scenario.json)" >&2; exit 1; fi
  echo "HTTP $2"
}

SHELTER=$(agency_token harbor-house-system 'system/*.cruds')
CLINIC=$(agency_token northside-clinic-system 'system/*.rs')
POLICE=$(agency_token metro-police-system 'system/*.rs')
SURVIVOR=$(cd "$ROOT" && dotnet run --project src/Consent.Cli -- demo token demo-survivor --identity "$IDENTITY" --users-file "$DATA/demo/users.json")

step "Harbor House writes a Patient linked to survivor sv-1001, an Observation and a mental-health (PSY) Condition"
expect 201 "$(fhir "$SHELTER" POST Patient '' "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"$SURVIVOR_SYSTEM\",\"value\":\"sv-1001\"}]}")"
PATIENT=$(jq -r .id /tmp/fhir-scenario.json)
expect 201 "$(fhir "$SHELTER" POST Observation '' "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"Heart rate\"},\"valueQuantity\":{\"value\":72,\"unit\":\"/min\"},\"subject\":{\"reference\":\"Patient/$PATIENT\"}}")"
OBSERVATION=$(jq -r .id /tmp/fhir-scenario.json)
expect 201 "$(fhir "$SHELTER" POST Condition '' "{\"resourceType\":\"Condition\",\"meta\":{\"security\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"PSY\"}]},\"code\":{\"text\":\"Depression\"},\"subject\":{\"reference\":\"Patient/$PATIENT\"}}")"
CONDITION=$(jq -r .id /tmp/fhir-scenario.json)

step "Before any grant, the clinic reading the Observation gets the same 404 as for a record that does not exist"
expect 404 "$(fhir "$CLINIC" GET "Observation/$OBSERVATION" TREAT)"

step "The survivor grants Northside Clinic her health records from Harbor House, for treatment"
GRANT=$(curl -fsS "$API/api/survivors/sv-1001/consents" -H "Authorization: Bearer $SURVIVOR" -H 'Content-Type: application/json' \
  -d '{"recipientAgencyId":"northside-clinic","sourceAgencyIds":["harbor-house"],"categories":["health"],"purposes":["treatment"],
       "consentTextId":"general-sharing","consentTextVersion":"3","language":"en"}' | jq -r .id)
echo "grant $GRANT"

step "The clinic reads the Observation (200), not the PSY Condition (404), and \$everything holds only health records"
expect 200 "$(fhir "$CLINIC" GET "Observation/$OBSERVATION" TREAT)"
jq -c '{resourceType, id, code}' /tmp/fhir-scenario.json
expect 404 "$(fhir "$CLINIC" GET "Condition/$CONDITION" TREAT)"
expect 200 "$(fhir "$CLINIC" GET "Patient/$PATIENT/\$everything" TREAT)"
jq -c '{total, entries: [.entry[].resource | "\(.resourceType)/\(.id)"]}' /tmp/fhir-scenario.json

step "The police, with no grant, are refused like anyone else"
expect 404 "$(fhir "$POLICE" GET "Observation/$OBSERVATION" LAWENF)"

step "The survivor revokes; the clinic's next read is refused"
curl -fsS -X POST "$API/api/survivors/sv-1001/consents/$GRANT/revoke" -H "Authorization: Bearer $SURVIVOR" | jq -c '{id, status}'
expect 404 "$(fhir "$CLINIC" GET "Observation/$OBSERVATION" TREAT)"

step "What the survivor sees of her disclosures"
curl -fsS "$API/api/survivors/sv-1001/disclosures?limit=3" -H "Authorization: Bearer $SURVIVOR" | jq -c '.items[] | {at, recipient: .recipient.name, records, purpose: .purpose.display, basis: [.basis[].label]}'
