# METADATA
# title: Tests of the sharing rules, one or two per clause
# description: >-
#   The full contract is the decision vectors (src/Policies/vectors), which the C# test suite sends
#   through a real OPA; these tests keep `opa test` meaningful on its own.
package consent.rules_test

import rego.v1

import data.consent.rules

grant := {
	"id": "g1", "survivorId": "sv-1001", "recipientAgencyId": "ag-clinic", "sourceAgencyIds": ["ag-shelter"],
	"categories": ["health"], "purposes": ["TREAT"], "labels": [],
	"start": "2025-03-01T00:00:00Z", "end": "2025-09-01T00:00:00Z", "status": "active",
}

mou := {
	"id": "m1", "status": "active",
	"parties": [
		{"agencyId": "ag-shelter", "signedAt": "2024-12-20T10:00:00Z"},
		{"agencyId": "ag-clinic", "signedAt": "2024-12-22T10:00:00Z"},
	],
	"purposes": ["TREAT", "ETREAT", "CHILDPROT"], "categories": ["health"],
	"effective": "2025-01-01T00:00:00Z", "expires": "2026-01-01T00:00:00Z", "allowsEmergencyAccess": true,
}

base := {
	"time": "2025-06-15T12:00:00Z",
	"requester": {"agencyId": "ag-clinic", "agencyType": "medical", "userId": "u1"},
	"request": {
		"survivorId": "sv-1001", "resourceType": "Observation", "category": "health", "labels": [],
		"sourceAgencyId": "ag-shelter", "purposeOfUse": "TREAT",
	},
	"facts": {
		"survivor": {"id": "sv-1001", "dateOfBirth": "1995-04-02"},
		"grants": [grant], "mous": [mou], "statutoryBases": [], "denyList": [],
	},
}

case_51a := {
	"id": "c1", "kind": "51A", "survivorId": "sv-1001", "status": "open", "openedAt": "2025-05-01T00:00:00Z",
	"participants": [{"agencyId": "ag-shelter", "role": "child-protection"}, {"agencyId": "ag-clinic", "role": "medical-provider"}],
}

minor_case := json.patch(base, [
	{"op": "add", "path": "/request/purposeOfUse", "value": "CHILDPROT"},
	{"op": "add", "path": "/facts/survivor/dateOfBirth", "value": "2010-01-01"},
	{"op": "add", "path": "/facts/grants", "value": []},
	{"op": "add", "path": "/facts/statutoryBases", "value": [case_51a]},
])

test_grant_and_mou_permit if {
	rules.outcome == {"decision": "permit", "reasons": {"grant:g1", "mou:m1"}} with input as base
	rules.obligations.labels == [] with input as base
}

test_grant_ending_now_denies if {
	rules.outcome.reasons == {"no-consent-or-basis"} with input as json.patch(base, [{"op": "add", "path": "/facts/grants/0/end", "value": "2025-06-15T12:00:00Z"}])
}

test_revoked_grant_denies if {
	rules.outcome.decision == "deny" with input as json.patch(base, [{"op": "add", "path": "/facts/grants/0/status", "value": "revoked"}])
}

test_mou_signed_by_one_party_denies if {
	rules.outcome.reasons == {"no-active-mou"} with input as json.patch(base, [{"op": "remove", "path": "/facts/mous/0/parties/1/signedAt"}])
}

test_deny_list_overrides_grant if {
	rules.outcome == {"decision": "deny", "reasons": {"deny-list"}} with input as json.patch(base, [{"op": "add", "path": "/facts/denyList", "value": [{"agencyId": "ag-clinic"}]}])
}

test_sensitive_label_needs_named_grant if {
	rules.outcome.reasons == {"label-not-covered:PSY"} with input as json.patch(base, [{"op": "add", "path": "/request/labels", "value": ["PSY"]}])
}

test_named_label_opens if {
	named := json.patch(base, [
		{"op": "add", "path": "/request/labels", "value": ["SUD"]},
		{"op": "add", "path": "/facts/grants/0/labels", "value": ["SUD"]},
	])
	rules.outcome.decision == "permit" with input as named
	rules.obligations.labels == ["SUD"] with input as named
	rules.obligations.redisclosureNotice with input as named
}

test_51a_permits_minor_case if {
	rules.outcome == {"decision": "permit", "reasons": {"statutory-basis:c1", "mou:m1"}} with input as minor_case
}

test_51a_never_opens_sud if {
	rules.outcome.reasons == {"label-not-covered:SUD"} with input as json.patch(minor_case, [{"op": "add", "path": "/request/labels", "value": ["SUD", "PSY"]}])
}

test_51a_ends_on_18th_birthday if {
	rules.outcome.decision == "deny" with input as json.patch(minor_case, [{"op": "add", "path": "/facts/survivor/dateOfBirth", "value": "2007-06-15"}])
	rules.outcome.decision == "permit" with input as json.patch(minor_case, [{"op": "add", "path": "/facts/survivor/dateOfBirth", "value": "2007-06-16"}])
}

break_glass := json.patch(base, [
	{"op": "add", "path": "/request/purposeOfUse", "value": "ETREAT"},
	{"op": "add", "path": "/request/breakGlassReason", "value": "unconscious"},
	{"op": "add", "path": "/facts/grants", "value": []},
])

test_break_glass_is_flagged if {
	rules.outcome == {"decision": "permit", "reasons": {"break-glass", "mou:m1"}} with input as break_glass
	rules.obligations.breakGlass with input as break_glass
}

test_break_glass_not_for_law_enforcement if {
	rules.outcome.reasons == {"no-consent-or-basis", "break-glass-not-allowed"} with input as json.patch(break_glass, [{"op": "add", "path": "/requester/agencyType", "value": "law-enforcement"}])
}

# Nothing overrides the deny list: a basis of a kind the platform does not record (a court order, say) opens nothing.
test_deny_list_has_no_exception if {
	order := {
		"id": "co1", "kind": "court-order", "survivorId": "sv-1001", "status": "open", "openedAt": "2025-06-01T00:00:00Z",
		"participants": [{"agencyId": "ag-shelter", "role": "discloser"}, {"agencyId": "ag-clinic", "role": "recipient"}],
		"categories": ["health"], "purposes": ["TREAT"], "labels": [],
	}
	ordered := json.patch(base, [
		{"op": "add", "path": "/facts/denyList", "value": [{"agencyId": "ag-clinic"}]},
		{"op": "add", "path": "/facts/statutoryBases", "value": [order]},
	])
	rules.outcome == {"decision": "deny", "reasons": {"deny-list"}} with input as ordered
}

test_missing_fields_are_named if {
	rules.outcome.reasons == {"invalid-input:request.category", "unknown-purpose"} with input as json.patch(base, [
		{"op": "remove", "path": "/request/category"},
		{"op": "add", "path": "/request/purposeOfUse", "value": "MARKETING"},
	])
}

test_empty_input_is_denied if {
	rules.outcome.decision == "deny" with input as {}
	not rules.obligations with input as {}
}
