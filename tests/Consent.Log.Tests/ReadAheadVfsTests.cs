using System.Security.Cryptography;
using Consent.Log.Testing;
using Consent.Log.Verification;
using Microsoft.Data.Sqlite;

namespace Consent.Log.Tests;

/// <summary>The verifier's read-ahead file layer, through a connection opened on it as the verifier opens its own.</summary>
public sealed class ReadAheadVfsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("read-ahead-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void APageChangedInTheFile_BetweenTwoReadTransactions_IsReadAsChanged()
    {
        var file = Path.Combine(directory, "log.db");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        using (var writer = new LogDatabaseWriter(file, key))
        {
            for (var i = 0; i < 1024; i++)
            {
                writer.Append(SampleEntries.Make(i));
            }
        }

        var vfs = ReadAheadVfs.NameIfAvailable.ShouldNotBeNull();
        using var reader = new SqliteConnection($"Data Source=file:{file}?vfs={vfs}&mode=ro;Pooling=False");
        reader.Open();
        // Reads the page of entries 769 and 770, and the pages around it, into a window.
        SurvivorOf(reader, 769).ShouldStartWith("sv-");
        var before = SurvivorOf(reader, 770);

        // Changed in place and copied into the database file itself (the WAL emptied), while the reader is idle.
        using (var other = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = """
                DROP TRIGGER "DisclosureLog_NoUpdate";
                UPDATE "DisclosureLog" SET "SurvivorId" = 'sv-0' WHERE "Sequence" = 770;
                """;
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            using var checkpoint = command.ExecuteReader();
            checkpoint.Read().ShouldBeTrue();
            checkpoint.GetInt64(0).ShouldBe(0, "the checkpoint was blocked");
        }

        before.ShouldNotBe("sv-0");
        SurvivorOf(reader, 770).ShouldBe("sv-0");
    }

    private static string SurvivorOf(SqliteConnection connection, long sequence)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """SELECT "SurvivorId" FROM "DisclosureLog" WHERE "Sequence" = $sequence""";
        command.Parameters.AddWithValue("$sequence", sequence);
        return (string)command.ExecuteScalar()!;
    }
}
