using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Consent.Portal.Tests;

[Collection(PlatformCollection.Name)]
public sealed class HealthAndErrorTests(Platform platform)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_AnswersHealthy(string path)
    {
        var response = await platform.Portal.CreateClient().GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task UnknownPage_ForABrowser_Is404_WithAFriendlyPageInItsLanguage_AndNoStackTrace()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page?culture=es");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");

        var response = await platform.Portal.CreateBrowser().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("Página no encontrada");
        html.ShouldContain("id=\"quick-exit\"");
        html.ShouldNotContain("Exception");
        html.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task UnknownPage_ForAProgram_Is404_ProblemDetails()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/page");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var response = await platform.Portal.CreateClient().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe(404);
        problem.TryGetProperty("exception", out _).ShouldBeFalse();
        problem.TryGetProperty("detail", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task SignOut_ByGet_IsNotAllowed()
    {
        var response = await platform.Portal.CreateBrowser().GetAsync("/signout");
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }
}
