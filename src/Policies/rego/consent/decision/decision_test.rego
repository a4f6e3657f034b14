# METADATA
# title: Tests of the decision document the OPA client reads
package consent.decision_test

import rego.v1

import data.consent.decision
import data.consent.rules_test

test_permit_document_has_every_key if {
	d := decision with input as rules_test.base
	d.decision == "permit"
	d.reasons == {"grant:g1", "mou:m1"}
	d.policyVersion == "0.1.0"
	d.obligations == {
		"resourceTypes": ["Observation"],
		"labels": [],
		"redactLabels": ["ETH", "HIV", "IMMIGRATION", "PSY", "SDV", "SUD"],
		"breakGlass": false,
		"redisclosureNotice": false,
	}
}

test_deny_document_has_no_obligations if {
	d := decision with input as {}
	d.decision == "deny"
	not d.obligations
	count(d.reasons) > 0
}

test_document_carries_nothing_else if {
	d := decision with input as rules_test.base
	object.keys(d) == {"decision", "reasons", "obligations", "policyVersion"}
}
