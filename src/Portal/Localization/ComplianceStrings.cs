namespace Consent.Portal.Localization;

/// <summary>
/// Names the compliance console's text resources (ComplianceStrings.resx and one file per language beside it). They are
/// kept apart from the survivor-facing text: a different audience, with its own vocabulary.
/// </summary>
public sealed class ComplianceStrings;
