using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Consent.Cli.Clients;

/// <summary>
/// <c>consent clients register|list|remove</c>: system clients at the identity provider (agency systems and consent
/// directories), managed with the platform operator's credentials.
/// </summary>
internal static class ClientsCommands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Command Create(CliOutput output)
    {
        var identity = new Option<Uri>("--identity")
        {
            Description = "The identity provider's base URL (default: IDENTITY_URL, else http://localhost:5001/).",
            DefaultValueFactory = HttpUrls.DefaultFrom(HttpUrls.IdentityVariable, "http://localhost:5001/"),
            CustomParser = HttpUrls.ParseBaseUrl,
            Recursive = true,
        };
        var operatorId = new Option<string?>("--operator-id")
        {
            Description = $"Client id of the platform operator's client (or set {OperatorCredentials.IdVariable}).",
            Recursive = true,
        };
        var operatorSecret = new Option<string?>("--operator-secret")
        {
            Description = $"Its client secret (prefer {OperatorCredentials.SecretVariable}: command lines are visible to other users).",
            Recursive = true,
        };
        var platformClient = new Option<string>("--platform-client")
        {
            Description = "JSON file with the operator's clientId, clientSecret and scope, used when no id and secret are given.",
            DefaultValueFactory = _ => OperatorCredentials.DefaultFile,
            Recursive = true,
        };

        var clients = new Command("clients", "Register, list and remove the API clients of agency systems and consent directories.")
        {
            identity, operatorId, operatorSecret, platformClient,
        };

        IdentityAdminClient Admin(ParseResult parse, HttpClient http)
        {
            var (credentials, problem) = OperatorCredentials.Resolve(
                parse.GetValue(operatorId), parse.GetValue(operatorSecret), parse.GetValue(platformClient)!);
            return credentials is null
                ? throw new CommandFailed(problem!, exitCode: ExitCodes.Usage)
                : new IdentityAdminClient(http, parse.GetValue(identity)!, credentials);
        }

        clients.Add(RegisterCommand(output, Admin));
        clients.Add(ListCommand(output, Admin));
        clients.Add(RemoveCommand(output, Admin));
        return clients;
    }

    private static Command RegisterCommand(CliOutput output, Func<ParseResult, HttpClient, IdentityAdminClient> admin)
    {
        var agency = new Option<string>("--agency")
        {
            Description = "The agency the client acts for (its id); for a consent directory, the agency operating it.",
            Required = true,
        };
        var kind = new Option<string?>("--kind")
        {
            Description = "agency-system (the default) or consent-directory (reads patients, consents and organizations for one purpose).",
        };
        kind.AcceptOnlyFromAmong(ClientKinds.AgencySystem, ClientKinds.ConsentDirectory);
        var purpose = new Option<string?>("--purpose")
        {
            Description = "A consent directory's purpose-of-use code, e.g. COC or TREAT (its tokens carry it).",
        };
        var clientId = new Option<string?>("--client-id") { Description = "The new client's id (default: <agency>-<random>)." };
        var name = new Option<string?>("--name") { Description = "A display name, e.g. \"Harbor House case system\"." };
        var jwk = new Option<FileInfo?>("--jwk") { Description = "File with the agency's public JWK (from 'consent keys generate')." };
        var jwksUrl = new Option<string?>("--jwks-url") { Description = "URL where the agency publishes its JWKS instead." };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "SMART v2 system scope, repeatable (default: system/*.rs system/*.cruds; for a consent directory, " +
                          "system/Patient.rs system/Consent.rs system/Organization.rs).",
            AllowMultipleArgumentsPerToken = false,
        };
        var issueSecret = new Option<bool>("--issue-secret") { Description = "Also issue a client secret (shown once)." };

        var register = new Command("register", "Register an agency system or a consent directory with its public key, JWKS URL or a client secret.")
        {
            agency, kind, purpose, clientId, name, jwk, jwksUrl, scopes, issueSecret,
        };
        register.Validators.Add(result =>
        {
            if (result.GetResult(jwk) is not null && result.GetResult(jwksUrl) is not null)
            {
                result.AddError("Give either --jwk or --jwks-url, not both.");
            }
        });
        register.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            var publicJwk = parse.GetValue(jwk) is { } file ? await ReadPublicJwkAsync(file, cancellationToken) : (JsonElement?)null;
            var requested = parse.GetValue(scopes);
            var registration = new RegisterAgencyClient(
                parse.GetValue(agency)!,
                parse.GetValue(clientId),
                parse.GetValue(name),
                publicJwk,
                parse.GetValue(jwksUrl),
                requested is { Length: > 0 } ? requested : null,
                parse.GetValue(issueSecret),
                parse.GetValue(kind),
                parse.GetValue(purpose));

            using var http = new HttpClient { Timeout = Timeout };
            var client = await admin(parse, http).RegisterAsync(registration, cancellationToken);

            await output.Out.WriteLineAsync(client.Kind == ClientKinds.ConsentDirectory
                ? $"Registered consent directory {client.ClientId}, operated by agency {client.AgencyId}, for purpose {client.PurposeOfUse}."
                : $"Registered client {client.ClientId} for agency {client.AgencyId}.");
            output.Write(Table([client]));
            if (!string.IsNullOrEmpty(client.ClientSecret))
            {
                await output.Out.WriteLineAsync("Client secret (shown only now; store it safely): " + client.ClientSecret);
            }

            return ExitCodes.Ok;
        }));
        return register;
    }

    private static Command ListCommand(CliOutput output, Func<ParseResult, HttpClient, IdentityAdminClient> admin)
    {
        var list = new Command("list", "List registered agency systems and consent directories.");
        list.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            using var http = new HttpClient { Timeout = Timeout };
            var clients = await admin(parse, http).ListAsync(cancellationToken);
            if (clients.Count == 0)
            {
                await output.Out.WriteLineAsync("No agency clients are registered.");
                return ExitCodes.Ok;
            }

            output.Write(Table(clients));
            return ExitCodes.Ok;
        }));
        return list;
    }

    private static Command RemoveCommand(CliOutput output, Func<ParseResult, HttpClient, IdentityAdminClient> admin)
    {
        var clientId = new Argument<string>("clientId") { Description = "The client to remove." };
        var remove = new Command("remove", "Remove an agency client: its tokens can no longer be renewed.") { clientId };
        remove.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            using var http = new HttpClient { Timeout = Timeout };
            var id = parse.GetValue(clientId)!;
            if (!await admin(parse, http).RemoveAsync(id, cancellationToken))
            {
                throw new CommandFailed($"No agency client {id} is registered.");
            }

            await output.Out.WriteLineAsync($"Removed client {id}.");
            return ExitCodes.Ok;
        }));
        return remove;
    }

    /// <summary>Reads the public JWK, refusing a file that holds a private key (it must never leave the agency).</summary>
    private static async Task<JsonElement> ReadPublicJwkAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CommandFailed($"{file.FullName} does not exist.");
        }

        JsonElement jwk;
        try
        {
            await using var stream = file.OpenRead();
            jwk = await JsonSerializer.DeserializeAsync<JsonElement>(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            throw new CommandFailed($"{file.FullName} is not JSON.");
        }

        if (jwk.ValueKind != JsonValueKind.Object || !jwk.TryGetProperty("kty", out _))
        {
            throw new CommandFailed($"{file.FullName} is not a JSON Web Key (no \"kty\").");
        }

        if (Keys.JwkKeyPair.PrivateMembers.Any(member => jwk.TryGetProperty(member, out _)))
        {
            throw new CommandFailed($"{file.FullName} holds a private key. Register the public key only (the .public.jwk.json file).");
        }

        return jwk;
    }

    private static Table Table(IEnumerable<AgencyClient> clients)
    {
        // Ids are copied into other commands: never wrap them.
        var table = new Table().AddColumns(
            new TableColumn("Client id").NoWrap(), new TableColumn("Agency").NoWrap(), new TableColumn("Kind").NoWrap(),
            new TableColumn("Purpose").NoWrap(), new TableColumn("Name"), new TableColumn("Scopes"), new TableColumn("Key ids"));
        foreach (var client in clients)
        {
            table.AddRow(
                new Text(client.ClientId),
                new Text(client.AgencyId),
                new Text(client.Kind ?? ClientKinds.AgencySystem),
                new Text(client.PurposeOfUse ?? "-"),
                new Text(client.DisplayName),
                new Text(string.Join(" ", client.Scopes)),
                new Text(client.KeyIds.Count == 0 ? "-" : string.Join(" ", client.KeyIds)));
        }

        return table;
    }
}
