using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Consent.Identity.Keys;

/// <summary>
/// On PostgreSQL, rebuilds the provider's options from the shared keys every <see cref="KeyStoreOptions.RefreshInterval"/>,
/// so a key another instance made is published here within one interval (and used after two) without a restart.
/// The new options replace the old only once built: when the database cannot be read, the instance keeps its keys.
/// </summary>
internal sealed partial class ProviderKeysRefresh(
    IOptionsFactory<OpenIddictServerOptions> serverFactory,
    IOptionsMonitorCache<OpenIddictServerOptions> serverCache,
    IOptionsFactory<OpenIddictValidationOptions> validationFactory,
    IOptionsMonitorCache<OpenIddictValidationOptions> validationCache,
    IOptions<KeyStoreOptions> options,
    ILogger<ProviderKeysRefresh> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.Value.RefreshInterval, stoppingToken);
            try
            {
                Replace(serverCache, serverFactory.Create(Options.DefaultName));
                // The local validation copies the server's keys when built, so it is built after the server's options.
                Replace(validationCache, validationFactory.Create(Options.DefaultName));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e);
            }
        }
    }

    private static void Replace<T>(IOptionsMonitorCache<T> cache, T built) where T : class
    {
        cache.TryRemove(Options.DefaultName);
        cache.TryAdd(Options.DefaultName, built);
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "The shared provider keys could not be reloaded; the instance keeps its keys")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
