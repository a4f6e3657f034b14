namespace Consent.Portal.Localization;

/// <summary>
/// Names the agency administration pages' text resources (AgencyStrings.resx and one file per language beside it):
/// MOUs and agency systems, written for agency administrators.
/// </summary>
public sealed class AgencyStrings;
