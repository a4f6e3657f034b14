using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Consent.Policies.Bench;

/// <summary>A grant as a row: the shape of the fetch Consent.Api does before asking for a decision.</summary>
public sealed class GrantRow
{
    public long Id { get; set; }
    public string GrantId { get; set; } = "";
    public string SurvivorId { get; set; } = "";
    public string RecipientAgencyId { get; set; } = "";
    public string SourceAgencyIds { get; set; } = "";
    public string Categories { get; set; } = "";
    public string Purposes { get; set; } = "";
    public string Labels { get; set; } = "";
    public long StartUnixMs { get; set; }
    public long EndUnixMs { get; set; }
    public string Status { get; set; } = "";

    public ConsentGrant ToGrant() => new()
    {
        Id = GrantId,
        SurvivorId = SurvivorId,
        RecipientAgencyId = RecipientAgencyId,
        SourceAgencyIds = SourceAgencyIds.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Categories = Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Purposes = Purposes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Labels = Labels.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Start = DateTimeOffset.FromUnixTimeMilliseconds(StartUnixMs),
        End = DateTimeOffset.FromUnixTimeMilliseconds(EndUnixMs),
        Status = Status,
    };
}

public sealed class ConsentBenchDb(DbContextOptions<ConsentBenchDb> options) : DbContext(options)
{
    public DbSet<GrantRow> Grants => Set<GrantRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var grant = modelBuilder.Entity<GrantRow>();
        grant.ToTable("grants");
        grant.HasKey(g => g.Id);
        // The index that keeps a decision's fetch flat however many consents the store holds.
        grant.HasIndex(g => g.SurvivorId);
    }
}

/// <summary>A SQLite file of <c>rows</c> grants (10 per survivor), built once and kept in the temp folder.</summary>
public sealed class SqliteConsentStore : IDisposable
{
    private static readonly Func<ConsentBenchDb, string, IEnumerable<GrantRow>> GrantsOfSurvivor =
        EF.CompileQuery((ConsentBenchDb db, string survivorId) => db.Grants.AsNoTracking().Where(g => g.SurvivorId == survivorId));

    private readonly ConsentBenchDb db;

    public SqliteConsentStore(int rows)
    {
        Rows = rows;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "consent-policies-bench", $"grants-{rows}.db");
        EnsureBuilt();
        db = Open(Path);
        // One warm query opens the connection and compiles the plan before measuring.
        GrantsOf(Scenario.SurvivorId(0));
    }

    public int Rows { get; }

    public string Path { get; }

    public List<ConsentGrant> GrantsOf(string survivorId)
    {
        var grants = new List<ConsentGrant>(10);
        foreach (var row in GrantsOfSurvivor(db, survivorId))
        {
            grants.Add(row.ToGrant());
        }

        return grants;
    }

    /// <summary>The facts of <paramref name="count"/> survivors picked at random, fetched as Consent.Api would before deciding.</summary>
    public PolicyInput[] InputsForRandomSurvivors(int count, int seed = 42)
    {
        var random = new Random(seed);
        var inputs = new PolicyInput[count];
        for (var i = 0; i < count; i++)
        {
            var survivor = RandomSurvivor(random);
            inputs[i] = Scenario.Input(survivor, GrantsOf(survivor));
        }

        return inputs;
    }

    public string RandomSurvivor(Random random) => Scenario.SurvivorId(random.Next(Rows / 10));

    public void Dispose() => db.Dispose();

    private static ConsentBenchDb Open(string path) =>
        new(new DbContextOptionsBuilder<ConsentBenchDb>().UseSqlite($"Data Source={path};Pooling=True").Options);

    private void EnsureBuilt()
    {
        if (File.Exists(Path) && CountRows(Path) == Rows)
        {
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        SqliteConnection.ClearAllPools();
        File.Delete(Path);
        using (var schema = Open(Path))
        {
            schema.Database.EnsureCreated();
        }

        SqliteConnection.ClearAllPools();

        // One prepared statement in one transaction: a million rows in seconds.
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;";
            pragma.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO grants (GrantId, SurvivorId, RecipientAgencyId, SourceAgencyIds, Categories, Purposes, Labels, StartUnixMs, EndUnixMs, Status)
            VALUES ($grantId, $survivorId, $recipient, $sources, 'contact health', 'TREAT CAREMGT', '', $start, $end, 'active')
            """;
        var grantId = insert.Parameters.Add("$grantId", SqliteType.Text);
        var survivorId = insert.Parameters.Add("$survivorId", SqliteType.Text);
        var recipient = insert.Parameters.Add("$recipient", SqliteType.Text);
        var sources = insert.Parameters.Add("$sources", SqliteType.Text);
        insert.Parameters.AddWithValue("$start", new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$end", new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        sources.Value = Scenario.Shelter;
        insert.Prepare();

        for (var row = 0; row < Rows; row++)
        {
            var survivor = Scenario.SurvivorId(row / 10);
            var index = row % 10;
            grantId.Value = $"g-{survivor}-{index}";
            survivorId.Value = survivor;
            recipient.Value = index == 9 ? Scenario.Clinic : "ag-legal-aid";
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static long CountRows(string path)
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM grants";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return -1;
        }
    }
}
