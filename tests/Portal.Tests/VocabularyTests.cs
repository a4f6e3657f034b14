using System.Text.Json;
using Consent.Portal.Tests.Stack;
using Consent.Portal.Vocabulary;

namespace Consent.Portal.Tests;

/// <summary>The portal's one list of purposes of use follows the consent API's configuration exactly.</summary>
public sealed class VocabularyTests
{
    [Fact]
    public void PurposesOfUse_AreTheApisConfiguredPurposes_WithTheirCodes()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(PlatformStack.RepositoryRoot(), "src", "Consent.Api", "appsettings.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var configured = settings.RootElement.GetProperty("Consents").GetProperty("Purposes").EnumerateObject()
            .ToDictionary(purpose => purpose.Name, purpose => purpose.Value.GetProperty("Code").GetString());

        PurposesOfUse.All.ToDictionary(purpose => purpose.Slug, purpose => (string?)purpose.Code).ShouldBe(configured, ignoreOrder: true);
        PurposesOfUse.Slugs[^1].ShouldBe("law-enforcement", "offered last: nothing may suggest services depend on it");
    }
}
