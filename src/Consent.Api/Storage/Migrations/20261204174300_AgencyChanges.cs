using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AgencyChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AgencyChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Field = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OldValue = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    NewValue = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgencyChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgencyChanges_Agencies_AgencyId",
                        column: x => x.AgencyId,
                        principalTable: "Agencies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgencyChanges_AgencyId_ChangedAt",
                table: "AgencyChanges",
                columns: new[] { "AgencyId", "ChangedAt" });

            // The record of who changed what the policy reads is append-only in the database too.
            foreach (var (name, when, message) in new[]
            {
                ("AgencyChanges_NoUpdate", "BEFORE UPDATE", "UPDATE refused"),
                ("AgencyChanges_NoDelete", "BEFORE DELETE", "DELETE refused"),
            })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "{name}" {when} ON "AgencyChanges"
                    BEGIN
                        SELECT RAISE(ABORT, 'Recorded agency changes are append-only: {message}.');
                    END;
                    """);
            }

            migrationBuilder.Sql(
                """
                CREATE TRIGGER "AgencyChanges_NoReplace" BEFORE INSERT ON "AgencyChanges"
                WHEN EXISTS (SELECT 1 FROM "AgencyChanges" WHERE "Id" = NEW."Id")
                BEGIN
                    SELECT RAISE(ABORT, 'Recorded agency changes are append-only: REPLACE refused.');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "AgencyChanges_NoReplace";""");
            migrationBuilder.Sql("""DROP TRIGGER "AgencyChanges_NoDelete";""");
            migrationBuilder.Sql("""DROP TRIGGER "AgencyChanges_NoUpdate";""");
            migrationBuilder.DropTable(
                name: "AgencyChanges");
        }
    }
}
