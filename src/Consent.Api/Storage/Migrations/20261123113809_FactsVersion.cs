using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class FactsVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FactsVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FactsVersions", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "FactsVersions",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FactsVersions");
        }
    }
}
