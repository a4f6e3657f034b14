using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Identity.Data.Migrations
{
    /// <inheritdoc />
    public partial class SuspendedAgencies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SuspendedAgencies",
                columns: table => new
                {
                    AgencyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SuspendedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SuspendedAtUnix = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SuspendedAgencies", x => x.AgencyId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SuspendedAgencies");
        }
    }
}
