using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DisclosureLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DisclosureLog",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RecipientAgencyId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SurvivorId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ResourceType = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ResourceIds = table.Column<string>(type: "TEXT", nullable: false),
                    PurposeOfUse = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Basis = table.Column<string>(type: "TEXT", nullable: false),
                    PolicyVersion = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RequestId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    BreakGlass = table.Column<bool>(type: "INTEGER", nullable: false),
                    PreviousHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureLog", x => x.Sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RecipientAgencyId_Sequence",
                table: "DisclosureLog",
                columns: new[] { "RecipientAgencyId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RecordedAt",
                table: "DisclosureLog",
                column: "RecordedAt");

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RequestId",
                table: "DisclosureLog",
                column: "RequestId");

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_SurvivorId_Sequence",
                table: "DisclosureLog",
                columns: new[] { "SurvivorId", "Sequence" });

            // Append-only in the database itself: no UPDATE or DELETE of a log row, whoever connects. The
            // PostgreSQL migrations get the same two rules as a BEFORE UPDATE OR DELETE trigger calling a function
            // that raises (docs/disclosure-log.md).
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "DisclosureLog_NoUpdate" BEFORE UPDATE ON "DisclosureLog"
                BEGIN
                    SELECT RAISE(ABORT, 'The disclosure log is append-only: UPDATE refused.');
                END;
                """);
            migrationBuilder.Sql(
                """
                CREATE TRIGGER "DisclosureLog_NoDelete" BEFORE DELETE ON "DisclosureLog"
                BEGIN
                    SELECT RAISE(ABORT, 'The disclosure log is append-only: DELETE refused.');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "DisclosureLog_NoDelete";""");
            migrationBuilder.Sql("""DROP TRIGGER "DisclosureLog_NoUpdate";""");
            migrationBuilder.DropTable(
                name: "DisclosureLog");
        }
    }
}
