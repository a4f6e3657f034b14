using System.Net;
using System.Net.Http.Headers;
using Consent.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Consent.Api.Tests;

/// <summary>With the identity provider unreachable, nothing gets through and callers are told to retry.</summary>
public sealed class ProviderDownTests
{
    [Fact]
    public async Task ProviderUnreachable_Answers503ProblemDetails_AndNoData()
    {
        await using var api = new WebApplicationFactory<ApiEntryPoint>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:DataDirectory", Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n")));
            // Nothing listens on port 9 (discard) on loopback: the discovery fetch fails at once.
            builder.UseSetting("Auth:Authority", "http://127.0.0.1:9/");
            builder.UseSetting("Auth:IntrospectionSecret", "unused");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Fatal");
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");

        var response = await api.CreateClient().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        response.Headers.WwwAuthenticate.ToString().ShouldContain("server_error");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("   at ");
        body.ShouldNotContain("IDX");
    }
}
