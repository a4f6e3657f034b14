using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class StatutoryBasesRequestsBreakGlass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BreakGlass",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    DeclaredBy = table.Column<string>(type: "TEXT", nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", nullable: true),
                    SurvivorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: false),
                    DeclaredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewedBy = table.Column<string>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    ReviewNote = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreakGlass", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ConsentRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SurvivorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RequestingAgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", nullable: false),
                    Categories = table.Column<string>(type: "TEXT", nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: false),
                    RequestedDays = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedBy = table.Column<string>(type: "TEXT", nullable: true),
                    GrantId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DeclineReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StatutoryBases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SurvivorId = table.Column<string>(type: "TEXT", nullable: false),
                    ReporterAgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    ReportedBy = table.Column<string>(type: "TEXT", nullable: false),
                    ReporterRole = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ReportDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    CaseNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DecisionMaker_Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    DecisionMaker_Reference = table.Column<string>(type: "TEXT", nullable: true),
                    DecisionMaker_EstablishedBy = table.Column<string>(type: "TEXT", nullable: true),
                    DecisionMaker_AgencyId = table.Column<string>(type: "TEXT", nullable: true),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", nullable: true),
                    CloseReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatutoryBases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StatutoryBases_Survivors_SurvivorId",
                        column: x => x.SurvivorId,
                        principalTable: "Survivors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "InvolvedAgency",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AgencyId = table.Column<string>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    StatutoryBasisId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InvolvedAgency", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InvolvedAgency_StatutoryBases_StatutoryBasisId",
                        column: x => x.StatutoryBasisId,
                        principalTable: "StatutoryBases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlass_AgencyId",
                table: "BreakGlass",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlass_ReviewedAt",
                table: "BreakGlass",
                column: "ReviewedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ConsentRequests_RequestingAgencyId",
                table: "ConsentRequests",
                column: "RequestingAgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_ConsentRequests_SurvivorId",
                table: "ConsentRequests",
                column: "SurvivorId");

            migrationBuilder.CreateIndex(
                name: "IX_InvolvedAgency_AgencyId",
                table: "InvolvedAgency",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_InvolvedAgency_StatutoryBasisId",
                table: "InvolvedAgency",
                column: "StatutoryBasisId");

            migrationBuilder.CreateIndex(
                name: "IX_StatutoryBases_SurvivorId",
                table: "StatutoryBases",
                column: "SurvivorId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BreakGlass");

            migrationBuilder.DropTable(
                name: "ConsentRequests");

            migrationBuilder.DropTable(
                name: "InvolvedAgency");

            migrationBuilder.DropTable(
                name: "StatutoryBases");
        }
    }
}
