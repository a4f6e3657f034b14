using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consent.Api.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DisclosureLogWithoutRequestIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // No query of the log looks entries up by request id, and the index cost every commit a page of WAL per
            // entry (request ids are random, so each lands on a different leaf page): it is dropped to keep the
            // read path's log append cheap. A lookup by request id is a scan of the log, done rarely, by compliance.
            migrationBuilder.DropIndex(
                name: "IX_DisclosureLog_RequestId",
                table: "DisclosureLog");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RequestId",
                table: "DisclosureLog",
                column: "RequestId");
        }
    }
}
