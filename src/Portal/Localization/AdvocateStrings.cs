namespace Consent.Portal.Localization;

/// <summary>
/// Names the case-manager pages' text resources (AdvocateStrings.resx and one file per language beside it): the words an
/// advocate reads, and says aloud to the survivor beside them.
/// </summary>
public sealed class AdvocateStrings;
