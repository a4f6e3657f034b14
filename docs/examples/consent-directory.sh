#!/usr/bin/env bash
# What a consent decision service (HL7 LEAP CDS, a CDS Hooks patient-consent-consult service) does against a running
# ./run.sh, as the demo consent directory: a token by private_key_jwt, the Patient by identifier, the patient's
# Consents (no purpose header: the purpose is the directory's registration), an Organization, and an AuditEvent that
# the server declines. Usage: docs/examples/consent-directory.sh   (IDENTITY_URL, API_URL, CONSENT_DATA_DIR as for ./run.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
API="${API_URL:-http://localhost:5002}"
IDENTIFIER="https://harbor-house.example/fhir/sid/case|HH-2026-0193"

step() { printf '\n== %s\n' "$*"; }
TOKEN=$(TOKEN_ONLY=1 SCOPE="system/Patient.rs system/Consent.rs system/Organization.rs" "$ROOT/docs/examples/get-token.sh" harbor-house-consent-directory)
fhir() { curl -fsS "$API/fhir/$1" -H "Authorization: Bearer $TOKEN" -H 'Accept: application/fhir+json'; }

step "Patient?identifier=$IDENTIFIER (id and the identifier only)"
PATIENT=$(fhir "Patient?identifier=$(printf '%s' "$IDENTIFIER" | jq -sRr @uri)" | tee /tmp/consent-directory.json | jq -r '.entry[0].resource.id')
jq -c '.entry[0].resource' /tmp/consent-directory.json

step "Consent?patient=Patient/$PATIENT: each Consent's status and its permits"
fhir "Consent?patient=Patient/$PATIENT" | jq -c '.entry[].resource | {id, status, policy: [.policy[]?.uri],
  permits: [.provision.provision[]? | {recipient: [.actor[] | select(.role.coding[0].code == "IRCP") | .reference.reference],
    sources: [.actor[] | select(.role.coding[0].code == "CST") | .reference.reference], purposes: [.purpose[].code],
    categories: [.code[].coding[0].code], closedLabels: [.provision[]?.securityLabel[]?.code]}]}'

step "Organization/northside-clinic"
fhir "Organization/northside-clinic" | jq -c '{id, name, identifier: .identifier[0], type: [.type[0].coding[].code]}'

step "POST AuditEvent: declined (405), the platform logs every read itself"
curl -sS -o /tmp/consent-directory.json -w 'HTTP %{http_code}\n' -X POST "$API/fhir/AuditEvent" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/fhir+json' --data '{"resourceType":"AuditEvent","recorded":"2026-12-07T10:00:00Z"}'
jq -c '.issue[0] | {code, diagnostics}' /tmp/consent-directory.json
