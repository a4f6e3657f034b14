using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Consent.Api.Storage;

/// <summary>
/// Least privilege on PostgreSQL. With <c>ConnectionStrings:ConsentOwner</c> set, the API applies its migrations as
/// that role (which then owns the tables) and grants the role of <c>ConnectionStrings:Consent</c>, which it runs on,
/// only what it needs: SELECT, INSERT, UPDATE and DELETE on the ordinary tables, SELECT and INSERT on the append-only
/// ones (<see cref="PostgresAppendOnlyTriggers"/>), SELECT on the migrations history, and the sequences. Not owning the
/// tables, the application cannot disable their triggers, and without the privileges it cannot update, delete or
/// truncate the log even before the triggers refuse. The grants are made again at every start, after the migrations,
/// so a new table is covered and a privilege granted by hand on an append-only table is taken back.
/// </summary>
public static class PostgresRoles
{
    public const string OwnerConnection = "ConsentOwner";

    private const string MigrationsHistory = "__EFMigrationsHistory";

    /// <summary>Migrates as the owner, then grants the application's role its privileges, in one transaction.</summary>
    public static async Task MigrateAsOwnerAndGrantAsync(string ownerConnectionString, string appConnectionString, Func<ConsentDb, Task> migrate)
    {
        var appRole = new NpgsqlConnectionStringBuilder(appConnectionString).Username;
        if (string.IsNullOrWhiteSpace(appRole))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{OwnerConnection} is set: ConnectionStrings:Consent must name the application's role (Username=…).");
        }

        await using var owner = new PostgresConsentDb(new DbContextOptionsBuilder<PostgresConsentDb>().UseNpgsql(ownerConnectionString).Options);
        await migrate(owner);

        await using var transaction = await owner.Database.BeginTransactionAsync();
        var schema = await owner.Database.SqlQueryRaw<string>("""SELECT current_schema()::text AS "Value" """).SingleAsync();
        var ownerRole = await owner.Database.SqlQueryRaw<string>("""SELECT current_user::text AS "Value" """).SingleAsync();
        if (string.Equals(ownerRole, appRole, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:Consent and ConnectionStrings:{OwnerConnection} name the same role: the application's role must not own the tables.");
        }

        var tables = await owner.Database.SqlQueryRaw<string>(
            """SELECT tablename::text AS "Value" FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY 1""").ToListAsync();
        var appendOnly = PostgresAppendOnlyTriggers.TableNames.ToHashSet(StringComparer.Ordinal);
        var role = Quote(appRole);
        var statements = new List<string> { $"GRANT USAGE ON SCHEMA {Quote(schema)} TO {role}" };
        foreach (var table in tables)
        {
            var privileges = table == MigrationsHistory ? "SELECT" : appendOnly.Contains(table) ? "SELECT, INSERT" : "SELECT, INSERT, UPDATE, DELETE";
            statements.Add($"REVOKE ALL ON TABLE {Quote(schema)}.{Quote(table)} FROM {role}");
            statements.Add($"GRANT {privileges} ON TABLE {Quote(schema)}.{Quote(table)} TO {role}");
        }

        statements.Add($"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {Quote(schema)} TO {role}");
        foreach (var statement in statements)
        {
            await owner.Database.ExecuteSqlRawAsync(statement);
        }

        await transaction.CommitAsync();
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
