using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Storage;

/// <summary>
/// The API's database: agencies, survivors, consents, MOUs, statutory bases, FHIR records and the
/// disclosure log. The consent model lands with the consent domain; today it holds the schema history only.
/// </summary>
public sealed class ConsentDb(DbContextOptions<ConsentDb> options) : DbContext(options);
