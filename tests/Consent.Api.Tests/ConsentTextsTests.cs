using System.Net;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>The consent text catalogue: what the grant wizard shows, and what a grant must name.</summary>
public sealed class ConsentTextsTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string Consents = "/api/survivors/sv-1001/consents";

    private static object Grant(string textId, string version, string language = "en", string[]? categories = null) => new
    {
        recipientAgencyId = "northside-clinic",
        sourceAgencyIds = new[] { "harbor-house" },
        categories = categories ?? ["contact"],
        purposes = new[] { "care-coordination" },
        consentTextId = textId,
        consentTextVersion = version,
        language,
    };

    [Theory]
    [InlineData("en", "Sharing my information")]
    [InlineData("es", "Compartir mi información")]
    [InlineData("ko", "내 정보 공유하기")]
    public async Task CurrentTexts_InEachLanguage_WithThePart2ElementsWhereThereAreAny(string language, string title)
    {
        var survivor = await api.Parties.Survivor();

        var texts = await (await survivor.GetAsync($"/api/consent-texts?language={language}")).Json();

        var general = texts.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "general-sharing");
        general.GetProperty("version").GetString().ShouldBe("3");
        general.GetProperty("title").GetString().ShouldBe(title);
        general.GetProperty("part2").GetBoolean().ShouldBeTrue();
        general.GetProperty("part2Elements").GetArrayLength().ShouldBe(9);
        general.GetProperty("body").GetString()!.ShouldContain("42 CFR");
        texts.EnumerateArray().ShouldAllBe(t => t.GetProperty("current").GetBoolean() && t.GetProperty("language").GetString() == language);
        texts.EnumerateArray().Select(t => t.GetProperty("id").GetString()).ShouldBe(["contact-sharing", "general-sharing", "request-approval"]);
    }

    [Fact]
    public async Task EarlierVersion_IsStillReadable_UnknownOnesAreNot()
    {
        var survivor = await api.Parties.Survivor();

        var earlier = await (await survivor.GetAsync("/api/consent-texts/general-sharing/1?language=ko")).Json();
        earlier.GetProperty("current").GetBoolean().ShouldBeFalse();
        earlier.GetProperty("language").GetString().ShouldBe("ko");

        await (await survivor.GetAsync("/api/consent-texts/general-sharing/99")).Problem(HttpStatusCode.NotFound, "consent-text-not-found");
        await (await survivor.GetAsync("/api/consent-texts/general-sharing/3?language=tlh")).Problem(HttpStatusCode.UnprocessableEntity, "unsupported-language");
        await (await survivor.GetAsync("/api/consent-texts?language=tlh")).Problem(HttpStatusCode.UnprocessableEntity, "unsupported-language");
    }

    [Theory]
    [InlineData("general-sharing", "99", "en", null, "unknown-consent-text")]
    [InlineData("no-such-text", "1", "en", null, "unknown-consent-text")]
    [InlineData("general-sharing", "1", "es", null, "consent-text-superseded")]
    [InlineData("contact-sharing", "1", "en", "substance-use", "consent-text-not-part2")]
    public async Task Grant_NamingATextItMayNot_IsRefused_AndNothingIsStored(string textId, string version, string language, string? category, string problem)
    {
        var survivor = await api.Parties.Survivor();
        var before = (await (await survivor.GetAsync(Consents)).Json()).GetArrayLength();

        var body = await (await survivor.Post(Consents, Grant(textId, version, language, category is null ? null : ["contact", category])))
            .Problem(HttpStatusCode.UnprocessableEntity, problem);

        body.ShouldNotContain("sv-1001");
        (await (await survivor.GetAsync(Consents)).Json()).GetArrayLength().ShouldBe(before);
    }

    [Fact]
    public async Task Grant_NamingTheCurrentTextInTheSurvivorsLanguage_IsRecordedWithIt()
    {
        var survivor = await api.Parties.Survivor();

        var grant = await (await survivor.Post(Consents, Grant("contact-sharing", "1", "ko"))).Json(HttpStatusCode.Created);

        var text = grant.GetProperty("text");
        (text.GetProperty("id").GetString(), text.GetProperty("version").GetString(), text.GetProperty("language").GetString())
            .ShouldBe(("contact-sharing", "1", "ko"));
    }
}
