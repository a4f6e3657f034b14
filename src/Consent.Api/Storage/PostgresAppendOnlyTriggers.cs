using Microsoft.EntityFrameworkCore.Migrations;

namespace Consent.Api.Storage;

/// <summary>
/// The database's part of append-only on PostgreSQL, written by the PostgreSQL initial migration: on the tables
/// <see cref="AppendOnlyTriggers"/> protects on SQLite, statement triggers refuse UPDATE, DELETE and TRUNCATE
/// whoever connects (a statement that would touch no row is refused too). An INSERT of a key already there fails
/// on the primary key, and <c>INSERT … ON CONFLICT DO UPDATE</c> meets the UPDATE trigger. The tables' owner can
/// still disable triggers, as the owner of a SQLite file can drop them: the tree and the signed heads catch that.
/// </summary>
public static class PostgresAppendOnlyTriggers
{
    private const string Function = "RefuseAppendOnlyChange";

    /// <summary>Each table and how its refusals begin (the same words as on SQLite).</summary>
    private static readonly (string Table, string Refusal)[] Tables =
    [
        ("DisclosureLog", "The disclosure log is append-only"),
        ("DisclosureTree", "DisclosureTree is append-only"),
        ("DisclosureTreeHeads", "DisclosureTreeHeads is append-only"),
        ("DisclosureLogKeys", "DisclosureLogKeys is append-only"),
        ("AgencyChanges", "Recorded agency changes are append-only"),
    ];

    private static readonly string[] Operations = ["Update", "Delete", "Truncate"];

    /// <summary>The append-only tables: the application's role may only read and insert there (<see cref="PostgresRoles"/>).</summary>
    public static IEnumerable<string> TableNames => Tables.Select(t => t.Table);

    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($$"""
            CREATE FUNCTION "{{Function}}"() RETURNS trigger LANGUAGE plpgsql AS $refuse$
            BEGIN
                RAISE EXCEPTION '%: % refused.', TG_ARGV[0], TG_OP USING ERRCODE = 'integrity_constraint_violation';
            END;
            $refuse$;
            """);
        foreach (var (table, refusal) in Tables)
        {
            foreach (var operation in Operations)
            {
                migrationBuilder.Sql($$"""
                    CREATE TRIGGER "{{table}}_No{{operation}}" BEFORE {{operation.ToUpperInvariant()}} ON "{{table}}"
                    FOR EACH STATEMENT EXECUTE FUNCTION "{{Function}}"('{{refusal}}');
                    """);
            }
        }
    }

    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var (table, _) in Tables)
        {
            foreach (var operation in Operations)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_No{operation}" ON "{table}";""");
            }
        }

        migrationBuilder.Sql($"""DROP FUNCTION "{Function}"();""");
    }
}
