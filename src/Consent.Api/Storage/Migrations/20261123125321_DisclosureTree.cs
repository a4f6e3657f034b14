using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DisclosureTree : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DisclosureLogKeys",
                columns: table => new
                {
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PublicKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureLogKeys", x => x.KeyId);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureTree",
                columns: table => new
                {
                    LeafIndex = table.Column<long>(type: "INTEGER", nullable: false),
                    Hashes = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureTree", x => x.LeafIndex);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureTreeHeads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TreeSize = table.Column<long>(type: "INTEGER", nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    RootHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureTreeHeads", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureTreeHeads_TreeSize",
                table: "DisclosureTreeHeads",
                column: "TreeSize");

            // Append-only in the database itself, like the log: no UPDATE or DELETE of a tree row, a signed head or a
            // key, whoever connects. (A tree row changed after a head was signed would make the proofs disagree with
            // the head; a key deleted would leave the heads it signed unverifiable.) PostgreSQL: the same
            // BEFORE UPDATE OR DELETE trigger function as the log's (docs/disclosure-log.md).
            foreach (var table in new[] { "DisclosureTree", "DisclosureTreeHeads", "DisclosureLogKeys" })
            {
                migrationBuilder.Sql(
                    $$"""
                    CREATE TRIGGER "{{table}}_NoUpdate" BEFORE UPDATE ON "{{table}}"
                    BEGIN
                        SELECT RAISE(ABORT, '{{table}} is append-only: UPDATE refused.');
                    END;
                    """);
                migrationBuilder.Sql(
                    $$"""
                    CREATE TRIGGER "{{table}}_NoDelete" BEFORE DELETE ON "{{table}}"
                    BEGIN
                        SELECT RAISE(ABORT, '{{table}} is append-only: DELETE refused.');
                    END;
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "DisclosureTree", "DisclosureTreeHeads", "DisclosureLogKeys" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_NoDelete";""");
                migrationBuilder.Sql($"""DROP TRIGGER "{table}_NoUpdate";""");
            }

            migrationBuilder.DropTable(
                name: "DisclosureLogKeys");

            migrationBuilder.DropTable(
                name: "DisclosureTree");

            migrationBuilder.DropTable(
                name: "DisclosureTreeHeads");
        }
    }
}
