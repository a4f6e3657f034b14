namespace Consent.Policies;

/// <summary>The version of the sharing rule, recorded with every decision.</summary>
public static class PolicyVersion
{
    public const string Current = "0.1.0";
}
