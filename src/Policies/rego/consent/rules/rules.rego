# METADATA
# title: Consent platform sharing rules
# description: >-
#   Which MOUs, grants and statutory bases cover a read of a survivor's record, and the outcome.
#   Reads only input (see docs/policy.md for its schema); the same rule as the embedded C# evaluator,
#   held to the same decision vectors (src/Policies/vectors).
# scope: package
package consent.rules

import rego.v1

# --- Vocabulary -------------------------------------------------------------------------------

agency_types := {
	"shelter", "legal", "medical", "behavioral-health",
	"law-enforcement", "child-protection", "victim-services", "other",
}

# HL7 v3 PurposeOfUse codes, and the local CHILDPROT.
purposes := {"TREAT", "ETREAT", "CAREMGT", "COC", "PUBHLTH", "HOPERAT", "HLEGAL", "CHILDPROT", "SAFETYPLAN", "LAWENF"}

# HL7 v3 ActCode sensitivity codes, and the local IMMIGRATION.
sensitive_labels := {"ETH", "HIV", "IMMIGRATION", "PSY", "SDV", "SUD"}

# 42 CFR Part 2: never opened by a 51A case; their disclosure carries the re-disclosure notice.
substance_labels := {"ETH", "SUD"}

child_protection_case_roles := {"law-enforcement", "child-protection", "therapist", "medical-provider"}

# --- Helpers ----------------------------------------------------------------------------------

present(s) if {
	is_string(s)
	trim_space(s) != ""
}

ns(t) := time.parse_rfc3339_ns(t) if present(t)

now := ns(input.time)

recipient := input.requester.agencyId

source := input.request.sourceAgencyId

survivor := input.request.survivorId

purpose := input.request.purposeOfUse

category := input.request.category

# Labels are matched without regard to case: a mis-cased sensitive label must not pass as harmless.
sensitive(l) := upper(l) if upper(l) in sensitive_labels

is_substance(l) if l in substance_labels

requested_sensitive contains sensitive(l) if {
	some l in input.request.labels
}

# --- Input checks -----------------------------------------------------------------------------

invalid contains "invalid-input:time" if not present(input.time)

invalid contains "invalid-input:requester.agencyId" if not present(input.requester.agencyId)

invalid contains "invalid-input:requester.agencyType" if not present(input.requester.agencyType)

invalid contains "invalid-input:request.survivorId" if not present(input.request.survivorId)

invalid contains "invalid-input:request.resourceType" if not present(input.request.resourceType)

invalid contains "invalid-input:request.category" if not present(input.request.category)

invalid contains "invalid-input:request.sourceAgencyId" if not present(input.request.sourceAgencyId)

invalid contains "invalid-input:request.purposeOfUse" if not present(input.request.purposeOfUse)

known_agency_type if input.requester.agencyType in agency_types

invalid contains "unknown-agency-type" if {
	present(input.requester.agencyType)
	not known_agency_type
}

known_purpose if purpose in purposes

invalid contains "unknown-purpose" if {
	present(purpose)
	not known_purpose
}

# --- Facts that cover the read ----------------------------------------------------------------

# An agency reading what it wrote itself is not a disclosure.
own_record if {
	present(recipient)
	recipient == source
}

deny_listed if {
	some entry in input.facts.denyList
	present(entry.agencyId)
	entry.agencyId == recipient
}

deny_listed if {
	some entry in input.facts.denyList
	present(entry.userId)
	entry.userId == input.requester.userId
}

covering_grants contains grant if {
	some grant in input.facts.grants
	grant.status == "active"
	grant.survivorId == survivor
	grant.recipientAgencyId == recipient
	ns(grant.start) <= now
	now < ns(grant.end)
	source in grant.sourceAgencyIds
	category in grant.categories
	purpose in grant.purposes
}

discloses(party) if not party.discloses == false

receives(party) if not party.receives == false

mou_in_force(mou) if {
	mou.status == "active"
	ns(mou.effective) <= now
	now < ns(mou.expires)
	count(mou.parties) >= 2

	# Every party must have signed by now: an MOU signed by one party of two binds nobody.
	every party in mou.parties {
		ns(party.signedAt) <= now
	}
}

covering_mous contains mou if {
	some mou in input.facts.mous
	mou_in_force(mou)
	purpose in mou.purposes
	category in mou.categories
	some discloser in mou.parties
	discloser.agencyId == source
	discloses(discloser)
	some receiver in mou.parties
	receiver.agencyId == recipient
	receives(receiver)
}

emergency_allowed if {
	some mou in covering_mous
	mou.allowsEmergencyAccess == true
}

break_glass_requested if present(input.request.breakGlassReason)

# Law enforcement reads only on a grant or a 51A case: never by breaking the glass.
break_glass if {
	break_glass_requested
	emergency_allowed
	input.requester.agencyType != "law-enforcement"
}

basis_open(basis) if {
	basis.status == "open"
	ns(basis.openedAt) <= now
	not basis_closed(basis)
}

basis_closed(basis) if ns(basis.closedAt) <= now

# Under 18 on the decision's UTC date, compared as (year, month, day): someone born on 29 February
# turns 18 on 1 March in a common year.
minor if {
	[by, bm, bd] := time.date(time.parse_ns("2006-01-02", input.facts.survivor.dateOfBirth))
	[ny, nm, nd] := time.date(now)
	before_birthday(ny, nm, nd, by + 18, bm, bd)
}

before_birthday(y, _, _, by, _, _) if y < by

before_birthday(y, m, _, by, bm, _) if {
	y == by
	m < bm
}

before_birthday(y, m, d, by, bm, bd) if {
	y == by
	m == bm
	d < bd
}

participant(basis, agency, roles) if {
	some p in basis.participants
	p.agencyId == agency
	p.role in roles
}

covering_child_protection_cases contains basis if {
	some basis in input.facts.statutoryBases
	basis.kind == "51A"
	basis.survivorId == survivor
	purpose == "CHILDPROT"
	basis_open(basis)
	minor
	participant(basis, recipient, child_protection_case_roles)
	participant(basis, source, child_protection_case_roles)
}

# --- Combining them ---------------------------------------------------------------------------

mou_covered if count(covering_mous) > 0

mou_basis_exists if count(covering_grants) > 0

mou_basis_exists if count(covering_child_protection_cases) > 0

mou_basis_exists if break_glass

# Grants, 51A cases and break-glass count only under an MOU in force, and never past the deny list.
mou_bases_count if {
	mou_covered
	mou_basis_exists
	not deny_listed
}

basis_reasons contains sprintf("mou:%s", [mou.id]) if {
	mou_bases_count
	some mou in covering_mous
}

basis_reasons contains sprintf("grant:%s", [grant.id]) if {
	mou_bases_count
	some grant in covering_grants
}

basis_reasons contains sprintf("statutory-basis:%s", [basis.id]) if {
	mou_bases_count
	some basis in covering_child_protection_cases
}

basis_reasons contains "break-glass" if {
	mou_bases_count
	break_glass
}

opened contains sensitive(l) if {
	mou_bases_count
	some grant in covering_grants
	some l in grant.labels
}

# A 51A case opens every sensitive label but substance use, which needs a grant (42 CFR Part 2).
opened contains l if {
	mou_bases_count
	count(covering_child_protection_cases) > 0
	some l in sensitive_labels
	not is_substance(l)
}

missing_labels := requested_sensitive - opened

no_basis_reasons contains "no-active-mou" if not mou_covered

no_basis_reasons contains "no-consent-or-basis" if not mou_basis_exists

no_basis_reasons contains "break-glass-not-allowed" if {
	break_glass_requested
	not break_glass
}

# The outcome, first match wins; the default is a deny.
outcome := {"decision": "deny", "reasons": invalid} if {
	count(invalid) > 0
} else := {"decision": "permit", "reasons": {"own-record"}} if {
	own_record
} else := {"decision": "deny", "reasons": {"deny-list"}} if {
	deny_listed
} else := {"decision": "permit", "reasons": basis_reasons} if {
	count(basis_reasons) > 0
	count(missing_labels) == 0
} else := {"decision": "deny", "reasons": {sprintf("label-not-covered:%s", [l]) | some l in missing_labels}} if {
	count(basis_reasons) > 0
} else := {"decision": "deny", "reasons": no_basis_reasons}

permitted_labels := sensitive_labels if {
	own_record
} else := opened

default break_glass_used := false

break_glass_used if {
	not own_record
	mou_bases_count
	break_glass
}

default redisclosure_notice := false

redisclosure_notice if {
	not own_record
	some l in opened
	is_substance(l)
}

obligations := {
	"resourceTypes": [input.request.resourceType],
	"labels": sort(permitted_labels),
	"redactLabels": sort(sensitive_labels - permitted_labels),
	"breakGlass": break_glass_used,
	"redisclosureNotice": redisclosure_notice,
} if outcome.decision == "permit"
