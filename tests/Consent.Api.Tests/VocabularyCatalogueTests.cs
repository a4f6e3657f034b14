using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Consent.Api.Storage;
using Consent.Policies;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// The vocabulary is defined once: purposes of use in the API's configuration (checked against the policy's codes at
/// start), labels, agency types and code systems in the policy's src/Policies/Vocabulary.cs. Everything else reads them:
/// the API stores purpose codes, shows slugs, and publishes the catalogue the portal builds its forms from.
/// </summary>
public sealed partial class VocabularyCatalogueTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task TheCatalogue_ListsTheConfiguredPurposesInFormOrder_LawEnforcementLast_WithTheirCodes()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root(), "src", "Consent.Api", "appsettings.json")));
        var configured = settings.RootElement.GetProperty("Consents").GetProperty("Purposes").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("Code").GetString());

        var advocate = await api.Parties.Advocate();
        var vocabulary = await (await advocate.GetAsync("/api/vocabulary")).Json();
        vocabulary.GetProperty("language").GetString().ShouldBe("en");
        var purposes = vocabulary.GetProperty("purposes").EnumerateArray().ToList();
        purposes.ToDictionary(p => p.GetProperty("slug").GetString()!, p => p.GetProperty("code").GetString())
            .ShouldBe(configured, ignoreOrder: true);
        purposes.Select(p => p.GetProperty("slug").GetString()).ShouldBe(
            ["care-coordination", "case-management", "treatment", "safety-planning", "legal-advocacy", "emergency", "child-protection", "law-enforcement"]);
        purposes[^1].GetProperty("slug").GetString().ShouldBe("law-enforcement", "offered last: nothing may suggest services depend on it");

        vocabulary.GetProperty("sensitiveLabels").Strings().ShouldBe(SecurityLabels.Sensitive);
        vocabulary.GetProperty("agencyTypes").EnumerateArray().Select(t => t.GetProperty("code").GetString()).ShouldBe(AgencyTypes.All);
        vocabulary.GetProperty("basisKinds").EnumerateArray().Select(t => t.GetProperty("code").GetString())
            .ShouldBe(["ConsentGrant", "Mou", "StatutoryBasis", "BreakGlass", "ConsentDirectory"]);
        vocabulary.GetProperty("categories").EnumerateArray()
            .Single(c => c.GetProperty("code").GetString() == "immigration-status").GetProperty("sensitive").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task TheCatalogue_SpeaksTheLanguageAskedFor_AndRefusesOneThePlatformDoesNotSpeak()
    {
        var survivor = await api.Parties.Survivor();
        var spanish = await (await survivor.GetAsync("/api/vocabulary?language=es")).Json();
        Display(spanish, "purposes", "code", "TREAT").ShouldBe("Tratamiento");
        Display(spanish, "agencyTypes", "code", "shelter").ShouldNotBe("Shelter");

        var korean = await (await survivor.GetAsync("/api/vocabulary?language=ko")).Json();
        Display(korean, "purposes", "code", "TREAT").ShouldNotBe("Treatment");
        Display(korean, "purposes", "code", "TREAT").ShouldNotBe("Tratamiento");

        await (await survivor.GetAsync("/api/vocabulary?language=fr")).Problem(HttpStatusCode.UnprocessableEntity, "unsupported-language");
        (await api.CreateClient().GetAsync("/api/vocabulary")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AGrantStoresTheCode_AndShowsTheSlug()
    {
        var survivor = await api.Parties.Survivor();
        var granted = await (await survivor.Post("/api/survivors/sv-1001/consents", new
        {
            recipientAgencyId = "bridge-legal", sourceAgencyIds = new[] { "harbor-house" }, categories = new[] { "contact" },
            purposes = new[] { "legal-advocacy", "legal-advocacy" }, consentTextId = "general-sharing", consentTextVersion = "3", language = "en",
        })).Json(HttpStatusCode.Created);
        granted.GetProperty("purposes").Strings().ShouldBe(["legal-advocacy"]);
        var id = granted.GetProperty("id").GetGuid();

        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            db.Consents.AsNoTracking().Single(c => c.Id == id).Purposes.ShouldBe([PurposesOfUse.Legal]);
        }

        var history = await (await survivor.GetAsync($"/api/survivors/sv-1001/consents/{id}/history")).Json();
        history[0].GetProperty("terms").GetProperty("purposes").Strings().ShouldBe(["legal-advocacy"]);
        await survivor.PostEmpty($"/api/survivors/sv-1001/consents/{id}/revoke");
    }

    [Fact]
    public async Task TheOpenApiDocument_OffersTheVocabularysValues_OnRequests()
    {
        using var document = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        string[] slugs = ["care-coordination", "case-management", "treatment", "safety-planning", "legal-advocacy", "emergency", "child-protection", "law-enforcement"];
        schemas.GetProperty("GrantConsent").GetProperty("properties").GetProperty("purposes").GetProperty("items").GetProperty("enum").Strings()
            .ShouldBe(slugs);
        schemas.GetProperty("RequestConsent").GetProperty("properties").GetProperty("purpose").GetProperty("enum").Strings().ShouldBe(slugs);
        schemas.GetProperty("DraftMou").GetProperty("properties").GetProperty("categories").GetProperty("items").GetProperty("enum").Strings()
            .ShouldContain("immigration-status");
        schemas.GetProperty("CreateAgency").GetProperty("properties").GetProperty("type").GetProperty("enum").Strings().ShouldBe(AgencyTypes.All);
    }

    /// <summary>
    /// A code of the policy's vocabulary written as a literal anywhere else in the source would be a second definition that
    /// can drift from the first; so would a purpose slug in code (slugs live in the configuration only).
    /// </summary>
    [Fact]
    public void NoCodeIsDefinedTwice()
    {
        var root = Path.Combine(Repository.Root(), "src");
        var codes = PurposesOfUse.All.Concat(SecurityLabels.Sensitive)
            .Concat([PurposesOfUse.LocalSystem, SecurityLabels.LocalSystem, SecurityLabels.ActCodeSystem]).ToList();
        string[] slugs = ["care-coordination", "treatment", "safety-planning", "legal-advocacy", "emergency"];
        var owner = Path.Combine(root, "Policies", "Vocabulary.cs");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
                     .Where(f => f != owner && !Generated().IsMatch(f)))
        {
            var text = File.ReadAllText(file);
            found.AddRange(codes.Where(code => text.Contains('"' + code + '"', StringComparison.Ordinal))
                .Select(code => $"{Path.GetRelativePath(root, file)}: \"{code}\""));
            if (file.EndsWith(".cs", StringComparison.Ordinal))
            {
                found.AddRange(slugs.Where(slug => text.Contains('"' + slug + '"', StringComparison.Ordinal))
                    .Select(slug => $"{Path.GetRelativePath(root, file)}: \"{slug}\""));
            }
        }

        found.ShouldBeEmpty();
    }

    private static string? Display(JsonElement vocabulary, string list, string key, string code) =>
        vocabulary.GetProperty(list).EnumerateArray().Single(e => e.GetProperty(key).GetString() == code).GetProperty("display").GetString();

    [GeneratedRegex(@"[\\/](obj|bin|Migrations)[\\/]")]
    private static partial Regex Generated();
}
