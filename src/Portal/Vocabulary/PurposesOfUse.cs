using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Consent.Portal.Vocabulary;

/// <summary>A purpose of use as the consent API's vocabulary gives it: the slug forms send, the code the disclosure log stores.</summary>
public sealed record PurposeOfUse(string Slug, string Code);

/// <summary>The part of <c>GET /api/vocabulary</c> the portal reads.</summary>
internal sealed record VocabularyAnswer(List<PurposeOfUse> Purposes);

/// <summary>
/// The purposes of use, as the consent API publishes them (<c>GET /api/vocabulary</c>, in the order forms offer them: the
/// most common first, law enforcement last, so that nothing suggests services depend on it). The portal keeps no list of
/// its own: it asks the API once signed in, and again every ten minutes. The texts each area shows for a purpose are its
/// own, in the page's language, keyed by the slug (or by the code where the log is shown).
/// </summary>
public sealed class PurposesOfUse(TimeProvider time)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(10);

    private volatile Loaded? loaded;

    public IReadOnlyList<string> Slugs => loaded?.Slugs ?? [];

    public IReadOnlyList<string> Codes => loaded?.Codes ?? [];

    /// <summary>
    /// The slugs a form offers: the API's, then any the person had chosen that the list lacks (the API could not be
    /// reached yet), so that a form shown again keeps what was chosen.
    /// </summary>
    public IReadOnlyList<string> OfferedSlugs(IEnumerable<string> chosen) => [.. Slugs.Union(chosen, StringComparer.Ordinal)];

    /// <summary>The codes a log filter offers: the API's, then the one chosen if the list lacks it.</summary>
    public IReadOnlyList<string> OfferedCodes(string? chosen) =>
        chosen is null or "" ? Codes : [.. Codes.Union([chosen], StringComparer.Ordinal)];

    /// <summary>Asks the API when the list is missing or older than ten minutes; keeps the last list when the API does not answer.</summary>
    public async Task RefreshAsync(ConsentApiClient api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var now = time.GetUtcNow();
        if (loaded is { } current && now - current.At < Fresh)
        {
            return;
        }

        var answer = await api.GetAsync<VocabularyAnswer>("api/vocabulary", cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value.Purposes: { Count: > 0 } purposes })
        {
            loaded = new Loaded(now, [.. purposes.Select(p => p.Slug)], [.. purposes.Select(p => p.Code)]);
        }
    }

    private sealed record Loaded(DateTimeOffset At, IReadOnlyList<string> Slugs, IReadOnlyList<string> Codes);
}

/// <summary>
/// Before a page that offers purposes of use runs (<c>[ServiceFilter&lt;PurposesOfUseFilter&gt;]</c> on its model), makes sure
/// they are the API's current ones; other pages make no call for them.
/// </summary>
public sealed class PurposesOfUseFilter(PurposesOfUse purposes, ConsentApiClient api) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.HttpContext.User.Identity?.IsAuthenticated == true)
        {
            await purposes.RefreshAsync(api, context.HttpContext.RequestAborted);
        }

        await next();
    }
}
