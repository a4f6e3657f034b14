using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <summary>
    /// SQL only, the model is unchanged (no snapshot change): a BEFORE INSERT trigger on each append-only table that
    /// refuses a row whose key is already there. <c>REPLACE INTO</c> / <c>INSERT OR REPLACE</c> delete the old row to
    /// make room, and that delete does not fire the <c>_NoDelete</c> triggers unless <c>recursive_triggers</c> is on,
    /// which someone with the file and a shell will not set; so without these an entry could be rewritten in place.
    /// An UPSERT (<c>ON CONFLICT DO UPDATE</c>) is refused here too, before its update would reach <c>_NoUpdate</c>.
    /// </summary>
    [DbContext(typeof(ConsentDb))]
    [Migration("20261204170800_LogInsertTriggers")]
    public partial class LogInsertTriggers : Migration
    {
        private static readonly (string Table, string Key)[] Tables =
        [
            ("DisclosureLog", "Sequence"),
            ("DisclosureTree", "LeafIndex"),
            ("DisclosureTreeHeads", "Id"),
            ("DisclosureLogKeys", "KeyId"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, key) in Tables)
            {
                // A primary-key lookup per inserted row; a new row (or an autoincrement id not yet assigned) finds nothing.
                migrationBuilder.Sql(
                    $$"""
                    CREATE TRIGGER "{{table}}_NoReplace" BEFORE INSERT ON "{{table}}"
                    WHEN EXISTS (SELECT 1 FROM "{{table}}" WHERE "{{key}}" = NEW."{{key}}")
                    BEGIN
                        SELECT RAISE(ABORT, '{{table}} is append-only: a row with this key exists, REPLACE refused.');
                    END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Tables)
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_NoReplace";""");
            }
        }
    }
}
