namespace Consent.Portal.Localization;

/// <summary>
/// Names the survivor pages' text resources (SurvivorStrings.resx and one file per language beside it): plain words for
/// someone in a hurry, kept apart from the staff areas' vocabulary.
/// </summary>
public sealed class SurvivorStrings;
