namespace Consent.Portal;

/// <summary>Names this app's assembly for hosts that start it in-process (integration tests).</summary>
public sealed class PortalEntryPoint;
