using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Consent.Api.Storage;

/// <summary>
/// Every instant is stored as UTC milliseconds since the Unix epoch (a 64-bit integer): SQLite can compare
/// and order those in queries (it cannot compare DateTimeOffset text), PostgreSQL stores them as bigint, and
/// the API still speaks DateTimeOffset. Millisecond precision is the contract.
/// </summary>
public sealed class UtcInstantConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.ToUnixTimeMilliseconds(),
    stored => DateTimeOffset.FromUnixTimeMilliseconds(stored));
