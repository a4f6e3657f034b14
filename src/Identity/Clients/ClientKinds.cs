using System.Text.RegularExpressions;

namespace Consent.Identity.Clients;

/// <summary>
/// The kinds of system client (client_credentials, no person). An agency system acts for its agency and states a
/// purpose of use with each request. A consent directory is an external consent decision service (HL7 LEAP CDS,
/// CDS Hooks patient-consent-consult, IHE Privacy Consent on FHIR) operated by an agency: it reads patients, consents
/// and organizations only, for the one purpose of use it was registered with, which its tokens carry.
/// </summary>
public static partial class ClientKinds
{
    public const string AgencySystem = "agency-system";
    public const string ConsentDirectory = "consent-directory";

    public static readonly IReadOnlyList<string> All = [AgencySystem, ConsentDirectory];

    /// <summary>
    /// The form of a purpose-of-use code (<c>COC</c>, <c>TREAT</c>, <c>CAREMGT</c>). Which codes exist is the consent
    /// API's catalogue: it refuses a token whose purpose it does not know.
    /// </summary>
    [GeneratedRegex("^[A-Z0-9-]{2,32}$", RegexOptions.CultureInvariant)]
    public static partial Regex PurposeOfUseCode();
}
