namespace Consent.Portal.Localization;

/// <summary>
/// Names the portal's shared text resources (SharedStrings.resx and one file per language beside it).
/// A language is added by adding its file: the portal offers every language it finds at start.
/// </summary>
public sealed class SharedStrings;
