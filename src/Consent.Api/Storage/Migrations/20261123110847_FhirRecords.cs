using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class FhirRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AllowsEmergencyAccess",
                table: "Mous",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "FhirPatientIdentifiers",
                columns: table => new
                {
                    Key = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    System = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FhirPatientIdentifiers", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "FhirRecords",
                columns: table => new
                {
                    ResourceType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceAgencyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedByClient = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SurvivorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Labels = table.Column<string>(type: "TEXT", nullable: false),
                    CategoryCodes = table.Column<string>(type: "TEXT", nullable: false),
                    VersionId = table.Column<int>(type: "INTEGER", nullable: false),
                    LastUpdated = table.Column<long>(type: "INTEGER", nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FhirRecords", x => new { x.ResourceType, x.Id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_FhirPatientIdentifiers_PatientId",
                table: "FhirPatientIdentifiers",
                column: "PatientId");

            migrationBuilder.CreateIndex(
                name: "IX_FhirPatientIdentifiers_System_Value",
                table: "FhirPatientIdentifiers",
                columns: new[] { "System", "Value" });

            migrationBuilder.CreateIndex(
                name: "IX_FhirRecords_PatientId",
                table: "FhirRecords",
                column: "PatientId");

            migrationBuilder.CreateIndex(
                name: "IX_FhirRecords_SurvivorId_ResourceType",
                table: "FhirRecords",
                columns: new[] { "SurvivorId", "ResourceType" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FhirPatientIdentifiers");

            migrationBuilder.DropTable(
                name: "FhirRecords");

            migrationBuilder.DropColumn(
                name: "AllowsEmergencyAccess",
                table: "Mous");
        }
    }
}
