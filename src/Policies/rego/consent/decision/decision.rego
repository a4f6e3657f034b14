# METADATA
# title: Consent platform sharing decision
# description: >-
#   The document the OPA client asks for (POST /v1/data/consent/decision): decision ("permit" or
#   "deny"), reasons (a set), obligations (on a permit) and the policy version. Everything else
#   lives in data.consent.rules, so the answer carries nothing more.
# scope: package
package consent.decision

import rego.v1

import data.consent.rules

# Must equal Consent.Policies.PolicyVersion.Current; a test holds them together.
policyVersion := "0.1.0"

default decision := "deny"

decision := rules.outcome.decision

reasons := rules.outcome.reasons

obligations := rules.obligations
