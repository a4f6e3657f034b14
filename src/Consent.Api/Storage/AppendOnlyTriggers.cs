using Microsoft.EntityFrameworkCore.Migrations;

namespace Consent.Api.Storage;

/// <summary>
/// The database's part of append-only, written by the initial migration: on the disclosure log, its tree, its signed
/// heads, its keys and the record of agency changes, triggers refuse UPDATE and DELETE whoever connects, and refuse an
/// INSERT whose key is already there. (<c>REPLACE INTO</c> deletes the old row to make room, and that delete does not
/// fire the DELETE trigger unless <c>recursive_triggers</c> is on, which someone with the file and a shell will not
/// set; an UPSERT is refused before its update would reach the UPDATE trigger.)
/// </summary>
public static class AppendOnlyTriggers
{
    /// <summary>Each table, its key, how its UPDATE and DELETE refusals begin, and its REPLACE refusal.</summary>
    private static readonly (string Table, string Key, string Refusal, string ReplaceRefusal)[] Tables =
    [
        ("DisclosureLog", "Sequence", "The disclosure log is append-only", "DisclosureLog is append-only: a row with this key exists, REPLACE refused."),
        ("DisclosureTree", "LeafIndex", "DisclosureTree is append-only", "DisclosureTree is append-only: a row with this key exists, REPLACE refused."),
        ("DisclosureTreeHeads", "Id", "DisclosureTreeHeads is append-only", "DisclosureTreeHeads is append-only: a row with this key exists, REPLACE refused."),
        ("DisclosureLogKeys", "KeyId", "DisclosureLogKeys is append-only", "DisclosureLogKeys is append-only: a row with this key exists, REPLACE refused."),
        ("AgencyChanges", "Id", "Recorded agency changes are append-only", "Recorded agency changes are append-only: REPLACE refused."),
    ];

    public static void Create(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var (table, key, refusal, replaceRefusal) in Tables)
        {
            migrationBuilder.Sql($$"""
                CREATE TRIGGER "{{table}}_NoUpdate" BEFORE UPDATE ON "{{table}}"
                BEGIN
                    SELECT RAISE(ABORT, '{{refusal}}: UPDATE refused.');
                END;
                """);
            migrationBuilder.Sql($$"""
                CREATE TRIGGER "{{table}}_NoDelete" BEFORE DELETE ON "{{table}}"
                BEGIN
                    SELECT RAISE(ABORT, '{{refusal}}: DELETE refused.');
                END;
                """);
            // A primary-key lookup per inserted row; a new row (or an autoincrement id not yet assigned) finds nothing.
            migrationBuilder.Sql($$"""
                CREATE TRIGGER "{{table}}_NoReplace" BEFORE INSERT ON "{{table}}"
                WHEN EXISTS (SELECT 1 FROM "{{table}}" WHERE "{{key}}" = NEW."{{key}}")
                BEGIN
                    SELECT RAISE(ABORT, '{{replaceRefusal}}');
                END;
                """);
        }
    }

    public static void Drop(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        foreach (var (table, _, _, _) in Tables)
        {
            foreach (var trigger in new[] { "NoReplace", "NoDelete", "NoUpdate" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_{trigger}";""");
            }
        }
    }
}
