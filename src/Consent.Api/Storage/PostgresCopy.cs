using Npgsql;
using NpgsqlTypes;

namespace Consent.Api.Storage;

/// <summary>
/// Rows into a PostgreSQL table by binary COPY: one stream instead of one statement per row, for bulk loads (the
/// synthetic log of <c>consent seed</c>), where it measured about twice as fast as batches of INSERTs (19,000 to 25,000
/// against 10,800 entries/s, on two busy cores). Values are those <see cref="TableColumns{TEntity}.Row"/> makes:
/// integers, text, booleans, uuids and lists of text.
/// </summary>
internal static class PostgresCopy
{
    public static async Task WriteAsync(NpgsqlConnection connection, string copySql, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copySql, cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var value in row)
            {
                await WriteAsync(importer, value, cancellationToken);
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter importer, object? value, CancellationToken cancellationToken) => value switch
    {
        null => importer.WriteNullAsync(cancellationToken),
        long number => importer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken),
        int number => importer.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken),
        string text => importer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken),
        bool flag => importer.WriteAsync(flag, NpgsqlDbType.Boolean, cancellationToken),
        Guid id => importer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken),
        IEnumerable<string> texts => importer.WriteAsync(texts.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken),
        _ => throw new NotSupportedException($"COPY of a {value.GetType().Name} value is not supported."),
    };
}
