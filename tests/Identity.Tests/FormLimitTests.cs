using System.Net;
using System.Text;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Identity.Tests;

/// <summary>Oversized or malformed forms get an OAuth error, never a 500 or a stack trace.</summary>
public sealed class FormLimitTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/introspect")]
    [InlineData("/connect/revoke")]
    public async Task KeyLongerThan2048_IsInvalidRequest(string path)
    {
        var body = "grant_type=client_credentials&" + new string('k', 3_000) + "=v";
        await AssertRefused(await Post(path, body, chunked: false), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MoreThan1024Fields_IsInvalidRequest()
    {
        var body = string.Join('&', Enumerable.Range(0, 1_100).Select(i => $"f{i}=v"));
        await AssertRefused(await Post("/connect/token", body, chunked: false), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ChunkedBodyOver64KiB_IsTooLarge()
    {
        var body = "grant_type=client_credentials&pad=" + new string('a', 70 * 1024);
        await AssertRefused(await Post("/connect/token", body, chunked: true), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task SmallChunkedForm_StillReachesTheProvider()
    {
        var response = await Post("/connect/token", "grant_type=client_credentials&client_id=nobody", chunked: true);
        response.StatusCode.ShouldNotBe(HttpStatusCode.InternalServerError);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _).ShouldBeTrue();
    }

    private async Task<HttpResponseMessage> Post(string path, string body, bool chunked)
    {
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(body)))
            : new StringContent(body, Encoding.ASCII);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return await host.CreateClient().SendAsync(request);
    }

    private static async Task AssertRefused(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.ShouldBe(status);
        var text = await response.Content.ReadAsStringAsync();
        JsonDocument.Parse(text).RootElement.GetProperty("error").GetString().ShouldBe("invalid_request");
        text.ShouldNotContain("Exception");
        text.ShouldNotContain("   at ");
    }
}
