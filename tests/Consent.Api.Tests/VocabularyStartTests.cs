using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Consent.Api.Tests;

/// <summary>
/// The API's vocabulary (purposes of use, data categories and their labels) must be the sharing policy's: a code the
/// policy does not know would make every read with it a silent deny, or let a labelled record pass as harmless. The
/// API refuses to start instead, and says what to change.
/// </summary>
public sealed class VocabularyStartTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public void APurposeThePolicyDoesNotKnow_StopsTheApiFromStarting()
    {
        using var host = api.WithWebHostBuilder(builder => builder
            .UseSetting("Consents:Purposes:housing:Display", "Housing search")
            .UseSetting("Consents:Purposes:housing:Code", "HOUSING"));
        var failure = Should.Throw<OptionsValidationException>(() => host.CreateClient());
        failure.Message.ShouldContain("'HOUSING'");
        failure.Message.ShouldContain("Vocabulary.cs");
    }

    [Fact]
    public void ASensitiveLabelThePolicyDoesNotKnow_OrALabelOnAGeneralCategory_StopsTheApiFromStarting()
    {
        using var unknown = api.WithWebHostBuilder(builder => builder
            .UseSetting("DataCategories:reproductive-health:Display", "Reproductive health")
            .UseSetting("DataCategories:reproductive-health:Sensitive", "true")
            .UseSetting("DataCategories:reproductive-health:ResourceTypes:0", "Condition")
            .UseSetting("DataCategories:reproductive-health:Labels:0:System", "http://terminology.hl7.org/CodeSystem/v3-ActCode")
            .UseSetting("DataCategories:reproductive-health:Labels:0:Code", "SEX"));
        Should.Throw<OptionsValidationException>(() => unknown.CreateClient()).Message.ShouldContain("'SEX'");

        using var general = api.WithWebHostBuilder(builder => builder
            .UseSetting("DataCategories:documents:Labels:0:System", "http://terminology.hl7.org/CodeSystem/v3-ActCode")
            .UseSetting("DataCategories:documents:Labels:0:Code", "PSY"));
        Should.Throw<OptionsValidationException>(() => general.CreateClient()).Message.ShouldContain("not sensitive");
    }
}
