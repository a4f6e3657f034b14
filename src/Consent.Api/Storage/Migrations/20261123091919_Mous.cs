using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Mous : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Mous",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Purposes = table.Column<string>(type: "TEXT", nullable: false),
                    Categories = table.Column<string>(type: "TEXT", nullable: false),
                    EffectiveFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    DocumentSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DocumentContentType = table.Column<string>(type: "TEXT", nullable: true),
                    DocumentLength = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedByAgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TerminatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TerminatedBy = table.Column<string>(type: "TEXT", nullable: true),
                    TerminatedByAgencyId = table.Column<string>(type: "TEXT", nullable: true),
                    TerminationReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Mous", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MouDocuments",
                columns: table => new
                {
                    MouId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Content = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MouDocuments", x => x.MouId);
                    table.ForeignKey(
                        name: "FK_MouDocuments_Mous_MouId",
                        column: x => x.MouId,
                        principalTable: "Mous",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MouFlow",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SourceAgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    RecipientAgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    MouId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MouFlow", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MouFlow_Mous_MouId",
                        column: x => x.MouId,
                        principalTable: "Mous",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MouParty",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    SignedBy = table.Column<string>(type: "TEXT", nullable: true),
                    SignedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SignedDocumentSha256 = table.Column<string>(type: "TEXT", nullable: true),
                    MouId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MouParty", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MouParty_Mous_MouId",
                        column: x => x.MouId,
                        principalTable: "Mous",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MouFlow_MouId",
                table: "MouFlow",
                column: "MouId");

            migrationBuilder.CreateIndex(
                name: "IX_MouParty_AgencyId",
                table: "MouParty",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_MouParty_MouId",
                table: "MouParty",
                column: "MouId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MouDocuments");

            migrationBuilder.DropTable(
                name: "MouFlow");

            migrationBuilder.DropTable(
                name: "MouParty");

            migrationBuilder.DropTable(
                name: "Mous");
        }
    }
}
