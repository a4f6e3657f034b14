using System.CommandLine;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;

namespace Consent.Cli.LogAudit;

/// <summary>
/// <c>consent log audit</c>: an auditor's check of a running API from outside, with only the log's public key (pinned,
/// never fetched) and the proof endpoints: the latest signed tree head, its consistency with a head saved earlier, and
/// the inclusion of a leaf.
/// </summary>
internal static class LogCommands
{
    public const string TokenVariable = "CONSENT_TOKEN";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliOutput output, HttpMessageHandler? handler)
    {
        var log = new Command("log", "Check the disclosure log from outside, through the API's tree heads and proofs.");
        log.Add(AuditCommand(output, handler));
        return log;
    }

    private static Command AuditCommand(CliOutput output, HttpMessageHandler? handler)
    {
        var api = new Option<Uri>("--api")
        {
            Description = "The Consent.Api base URL (default: API_URL, else http://localhost:5002/).",
            DefaultValueFactory = HttpUrls.DefaultFrom(HttpUrls.ApiVariable, "http://localhost:5002/"),
            CustomParser = HttpUrls.ParseBaseUrl,
        };
        var token = new Option<string?>("--token")
        {
            Description = $"An access token for the API, any role (prefer {TokenVariable}: command lines are visible to other users).",
        };
        var publicKeys = new Option<string[]>("--public-key")
        {
            Description = "The log's public key, pinned: a PEM public key or the JSON saved from /.well-known/disclosure-log-keys (repeatable). "
                + "It is never fetched from the API.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var trustedHead = new Option<string?>("--trusted-head")
        {
            Description = "A tree head saved earlier (the API's tree head JSON): the current head must be consistent with it.",
        };
        var saveHead = new Option<string?>("--save-head")
        {
            Description = "Write the current tree head to this file once every check holds, to pass as --trusted-head next time.",
        };
        var leaf = new Option<long?>("--leaf") { Description = "A leaf index (the entry's sequence number - 1) to prove included in the current head." };
        var leafHash = new Option<string?>("--leaf-hash") { Description = "The leaf hash (64 hex digits) that leaf must have, e.g. recomputed from GET /api/log/entries/{sequence}." };

        var audit = new Command("audit",
            "Verify the API's latest signed tree head with a pinned key, its consistency with a head saved earlier, and the inclusion of a leaf.")
        {
            api, token, publicKeys, trustedHead, saveHead, leaf, leafHash,
        };
        audit.Validators.Add(result =>
        {
            if ((result.GetResult(leaf) is null) != (result.GetResult(leafHash) is null))
            {
                result.AddError("Give --leaf and --leaf-hash together.");
            }

            if (result.GetValue(leaf) is < 0)
            {
                result.AddError("--leaf is 0 or more (the entry's sequence number - 1).");
            }

            if (result.GetValue(leafHash) is { } hash && !IsHash(hash))
            {
                result.AddError("--leaf-hash is 64 hex digits.");
            }
        });
        audit.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            var accessToken = parse.GetValue(token) is { Length: > 0 } given ? given
                : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
                : throw new CommandFailed($"Give an access token with --token or in {TokenVariable} (e.g. from 'consent demo token').", exitCode: ExitCodes.Usage);

            var keys = new List<byte[]>();
            foreach (var file in parse.GetValue(publicKeys) ?? [])
            {
                keys.AddRange(LogInputFiles.PublicKeys(file));
            }

            var saved = parse.GetValue(trustedHead) is { } headFile
                ? LogInputFiles.TreeHead(headFile)
                : null;
            var leafCheck = parse.GetValue(leaf) is { } index ? (index, Convert.FromHexString(parse.GetValue(leafHash)!)) : ((long, byte[])?)null;

            using var http = handler is null
                ? new HttpClient { Timeout = Timeout }
                : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout };
            var auditor = new LogAuditor(new TreeHeadApi(http, parse.GetValue(api)!, accessToken), keys, output);
            return await auditor.RunAsync(saved, leafCheck, parse.GetValue(saveHead), cancellationToken);
        }));
        return audit;
    }

    private static bool IsHash(string text) => text.Length == 64 && text.All(Uri.IsHexDigit);
}
