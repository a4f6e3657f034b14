using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Consent.Api.Storage.PostgresMigrations
{
    /// <summary>
    /// The whole schema on PostgreSQL, in step with the SQLite <c>Initial</c> migration, with the append-only triggers
    /// of <see cref="PostgresAppendOnlyTriggers"/>.
    /// </summary>
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Agencies",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Region = table.Column<string>(type: "text", nullable: true),
                    Languages = table.Column<List<string>>(type: "text[]", nullable: false),
                    PointOfContact = table.Column<string>(type: "text", nullable: true),
                    Active = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Agencies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "BreakGlass",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<string>(type: "text", nullable: false),
                    DeclaredBy = table.Column<string>(type: "text", nullable: false),
                    ClientId = table.Column<string>(type: "text", nullable: true),
                    SurvivorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Purpose = table.Column<string>(type: "text", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    DeclaredAt = table.Column<long>(type: "bigint", nullable: false),
                    ReviewedAt = table.Column<long>(type: "bigint", nullable: true),
                    ReviewedBy = table.Column<string>(type: "text", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    ReviewNote = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreakGlass", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ConsentRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurvivorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RequestingAgencyId = table.Column<string>(type: "text", nullable: false),
                    RequestedBy = table.Column<string>(type: "text", nullable: false),
                    Categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    Purpose = table.Column<string>(type: "text", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    RequestedDays = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DecidedAt = table.Column<long>(type: "bigint", nullable: true),
                    DecidedBy = table.Column<string>(type: "text", nullable: true),
                    GrantId = table.Column<Guid>(type: "uuid", nullable: true),
                    DeclineReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureLog",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    RecordedAt = table.Column<long>(type: "bigint", nullable: false),
                    RecipientAgencyId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UserId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    SurvivorId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ResourceIds = table.Column<string[]>(type: "text[]", nullable: false),
                    PurposeOfUse = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Decision = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Basis = table.Column<string[]>(type: "text[]", nullable: false),
                    PolicyVersion = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RequestId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    BreakGlass = table.Column<bool>(type: "boolean", nullable: false),
                    PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureLog", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureLogKeys",
                columns: table => new
                {
                    KeyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PublicKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureLogKeys", x => x.KeyId);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureTree",
                columns: table => new
                {
                    LeafIndex = table.Column<long>(type: "bigint", nullable: false),
                    Hashes = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureTree", x => x.LeafIndex);
                });

            migrationBuilder.CreateTable(
                name: "DisclosureTreeHeads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TreeSize = table.Column<long>(type: "bigint", nullable: false),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    RootHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    KeyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Signature = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisclosureTreeHeads", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FactsVersions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FactsVersions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FhirPatientIdentifiers",
                columns: table => new
                {
                    Key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PatientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    System = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Value = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FhirPatientIdentifiers", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "FhirRecords",
                columns: table => new
                {
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceAgencyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedByClient = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    PatientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SurvivorId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Labels = table.Column<List<string>>(type: "text[]", nullable: false),
                    CategoryCodes = table.Column<List<string>>(type: "text[]", nullable: false),
                    VersionId = table.Column<int>(type: "integer", nullable: false),
                    LastUpdated = table.Column<long>(type: "bigint", nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FhirRecords", x => new { x.ResourceType, x.Id });
                });

            migrationBuilder.CreateTable(
                name: "Mous",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Purposes = table.Column<List<string>>(type: "text[]", nullable: false),
                    Categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    EffectiveFrom = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    AllowsEmergencyAccess = table.Column<bool>(type: "boolean", nullable: false),
                    State = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DocumentSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    DocumentContentType = table.Column<string>(type: "text", nullable: true),
                    DocumentLength = table.Column<long>(type: "bigint", nullable: true),
                    CreatedBy = table.Column<string>(type: "text", nullable: false),
                    CreatedByAgencyId = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    SubmittedAt = table.Column<long>(type: "bigint", nullable: true),
                    TerminatedAt = table.Column<long>(type: "bigint", nullable: true),
                    TerminatedBy = table.Column<string>(type: "text", nullable: true),
                    TerminatedByAgencyId = table.Column<string>(type: "text", nullable: true),
                    TerminationReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Mous", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AgencyChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Field = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    OldValue = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    NewValue = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ChangedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ChangedAt = table.Column<long>(type: "bigint", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "Survivors",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EnrollingAgencyId = table.Column<string>(type: "character varying(64)", nullable: false),
                    PreferredLanguage = table.Column<string>(type: "text", nullable: false),
                    DateOfBirth = table.Column<DateOnly>(type: "date", nullable: true),
                    LeadCaseManager = table.Column<string>(type: "text", nullable: true),
                    DecisionMaker_Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    DecisionMaker_Reference = table.Column<string>(type: "text", nullable: true),
                    DecisionMaker_EstablishedBy = table.Column<string>(type: "text", nullable: true),
                    DecisionMaker_AgencyId = table.Column<string>(type: "text", nullable: true),
                    EnrolledBy = table.Column<string>(type: "text", nullable: false),
                    EnrolledAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Survivors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Survivors_Agencies_EnrollingAgencyId",
                        column: x => x.EnrollingAgencyId,
                        principalTable: "Agencies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "MouDocuments",
                columns: table => new
                {
                    MouId = table.Column<Guid>(type: "uuid", nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SourceAgencyId = table.Column<string>(type: "text", nullable: false),
                    RecipientAgencyId = table.Column<string>(type: "text", nullable: false),
                    MouId = table.Column<Guid>(type: "uuid", nullable: false)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AgencyId = table.Column<string>(type: "text", nullable: false),
                    SignedBy = table.Column<string>(type: "text", nullable: true),
                    SignedAt = table.Column<long>(type: "bigint", nullable: true),
                    SignedDocumentSha256 = table.Column<string>(type: "text", nullable: true),
                    MouId = table.Column<Guid>(type: "uuid", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "Consents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurvivorId = table.Column<string>(type: "character varying(64)", nullable: false),
                    RecipientAgencyId = table.Column<string>(type: "character varying(64)", nullable: false),
                    AllSources = table.Column<bool>(type: "boolean", nullable: false),
                    SourceAgencyIds = table.Column<List<string>>(type: "text[]", nullable: false),
                    Categories = table.Column<List<string>>(type: "text[]", nullable: false),
                    Purposes = table.Column<List<string>>(type: "text[]", nullable: false),
                    Start = table.Column<long>(type: "bigint", nullable: false),
                    End = table.Column<long>(type: "bigint", nullable: false),
                    Method = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Witness = table.Column<string>(type: "text", nullable: true),
                    Text_Id = table.Column<string>(type: "text", nullable: true),
                    Text_Version = table.Column<string>(type: "text", nullable: false),
                    Text_Language = table.Column<string>(type: "text", nullable: false),
                    DecidedBy = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    RecordedBy = table.Column<string>(type: "text", nullable: false),
                    RecordedAt = table.Column<long>(type: "bigint", nullable: false),
                    GrantedAt = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true),
                    RevokedBy = table.Column<string>(type: "text", nullable: true),
                    RequestId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Consents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Consents_Agencies_RecipientAgencyId",
                        column: x => x.RecipientAgencyId,
                        principalTable: "Agencies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Consents_Survivors_SurvivorId",
                        column: x => x.SurvivorId,
                        principalTable: "Survivors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "DenyEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurvivorId = table.Column<string>(type: "character varying(64)", nullable: false),
                    AgencyId = table.Column<string>(type: "text", nullable: true),
                    StaffUserId = table.Column<string>(type: "text", nullable: true),
                    Reason = table.Column<string>(type: "text", nullable: true),
                    AddedBy = table.Column<string>(type: "text", nullable: false),
                    AddedAt = table.Column<long>(type: "bigint", nullable: false),
                    RemovedBy = table.Column<string>(type: "text", nullable: true),
                    RemovedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DenyEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DenyEntries_Survivors_SurvivorId",
                        column: x => x.SurvivorId,
                        principalTable: "Survivors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StatutoryBases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SurvivorId = table.Column<string>(type: "character varying(64)", nullable: false),
                    ReporterAgencyId = table.Column<string>(type: "text", nullable: false),
                    ReportedBy = table.Column<string>(type: "text", nullable: false),
                    ReporterRole = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ReportDate = table.Column<DateOnly>(type: "date", nullable: false),
                    CaseNumber = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DecisionMaker_Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    DecisionMaker_Reference = table.Column<string>(type: "text", nullable: true),
                    DecisionMaker_EstablishedBy = table.Column<string>(type: "text", nullable: true),
                    DecisionMaker_AgencyId = table.Column<string>(type: "text", nullable: true),
                    OpenedAt = table.Column<long>(type: "bigint", nullable: false),
                    ClosedAt = table.Column<long>(type: "bigint", nullable: true),
                    ClosedBy = table.Column<string>(type: "text", nullable: true),
                    CloseReason = table.Column<string>(type: "text", nullable: true)
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
                name: "ConsentVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ConsentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Change = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    RecordedBy = table.Column<string>(type: "text", nullable: false),
                    RecordedAt = table.Column<long>(type: "bigint", nullable: false),
                    Terms = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConsentVersions_Consents_ConsentId",
                        column: x => x.ConsentId,
                        principalTable: "Consents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "InvolvedAgency",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AgencyId = table.Column<string>(type: "text", nullable: false),
                    Role = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    StatutoryBasisId = table.Column<Guid>(type: "uuid", nullable: false)
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

            migrationBuilder.InsertData(
                table: "FactsVersions",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_AgencyChanges_AgencyId_ChangedAt",
                table: "AgencyChanges",
                columns: new[] { "AgencyId", "ChangedAt" });

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
                name: "IX_Consents_RecipientAgencyId",
                table: "Consents",
                column: "RecipientAgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_Consents_SurvivorId",
                table: "Consents",
                column: "SurvivorId");

            migrationBuilder.CreateIndex(
                name: "IX_ConsentVersions_ConsentId_Version",
                table: "ConsentVersions",
                columns: new[] { "ConsentId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DenyEntries_SurvivorId",
                table: "DenyEntries",
                column: "SurvivorId");

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RecipientAgencyId_Sequence",
                table: "DisclosureLog",
                columns: new[] { "RecipientAgencyId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_RecordedAt",
                table: "DisclosureLog",
                column: "RecordedAt");

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureLog_SurvivorId_Sequence",
                table: "DisclosureLog",
                columns: new[] { "SurvivorId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_DisclosureTreeHeads_TreeSize",
                table: "DisclosureTreeHeads",
                column: "TreeSize");

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

            migrationBuilder.CreateIndex(
                name: "IX_InvolvedAgency_AgencyId",
                table: "InvolvedAgency",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_InvolvedAgency_StatutoryBasisId",
                table: "InvolvedAgency",
                column: "StatutoryBasisId");

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

            migrationBuilder.CreateIndex(
                name: "IX_StatutoryBases_SurvivorId",
                table: "StatutoryBases",
                column: "SurvivorId");

            migrationBuilder.CreateIndex(
                name: "IX_Survivors_EnrollingAgencyId",
                table: "Survivors",
                column: "EnrollingAgencyId");

            PostgresAppendOnlyTriggers.Create(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            PostgresAppendOnlyTriggers.Drop(migrationBuilder);

            migrationBuilder.DropTable(
                name: "AgencyChanges");

            migrationBuilder.DropTable(
                name: "BreakGlass");

            migrationBuilder.DropTable(
                name: "ConsentRequests");

            migrationBuilder.DropTable(
                name: "ConsentVersions");

            migrationBuilder.DropTable(
                name: "DenyEntries");

            migrationBuilder.DropTable(
                name: "DisclosureLog");

            migrationBuilder.DropTable(
                name: "DisclosureLogKeys");

            migrationBuilder.DropTable(
                name: "DisclosureTree");

            migrationBuilder.DropTable(
                name: "DisclosureTreeHeads");

            migrationBuilder.DropTable(
                name: "FactsVersions");

            migrationBuilder.DropTable(
                name: "FhirPatientIdentifiers");

            migrationBuilder.DropTable(
                name: "FhirRecords");

            migrationBuilder.DropTable(
                name: "InvolvedAgency");

            migrationBuilder.DropTable(
                name: "MouDocuments");

            migrationBuilder.DropTable(
                name: "MouFlow");

            migrationBuilder.DropTable(
                name: "MouParty");

            migrationBuilder.DropTable(
                name: "Consents");

            migrationBuilder.DropTable(
                name: "StatutoryBases");

            migrationBuilder.DropTable(
                name: "Mous");

            migrationBuilder.DropTable(
                name: "Survivors");

            migrationBuilder.DropTable(
                name: "Agencies");
        }
    }
}
