namespace Consent.Identity.Localization;

/// <summary>
/// Names the identity pages' text resources (IdentityStrings.resx and one file per language beside it).
/// A language is added by adding its file: the provider offers every language it finds at start.
/// </summary>
public sealed class IdentityStrings;
