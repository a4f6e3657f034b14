namespace Consent.TestSupport;

/// <summary>
/// Sends an app's outgoing HTTP calls to an in-process test server instead of the network. Used as the last
/// delegating handler, because some libraries (OpenIddict) insist on their own primary handler.
/// </summary>
public sealed class ForwardTo(HttpMessageHandler target) : DelegatingHandler
{
    private readonly HttpMessageInvoker invoker = new(target);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        invoker.SendAsync(request, cancellationToken);
}
