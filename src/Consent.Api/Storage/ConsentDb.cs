using Consent.Api.Agencies;
using Consent.Api.BreakGlass;
using Consent.Api.ConsentRequests;
using Consent.Api.Consents;
using Consent.Api.DenyList;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Fhir;
using Consent.Api.Mous;
using Consent.Api.StatutoryBases;
using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Storage;

/// <summary>
/// The API's database: agencies, survivors, consents, MOUs, statutory bases and the records around them.
/// The model stays provider-neutral (SQLite, or PostgreSQL through <see cref="PostgresConsentDb"/>): instants as
/// UTC milliseconds, enums as text, lists of ids as primitive collections. This type is the SQLite store and owns
/// the SQLite migrations; the PostgreSQL store derives from it only to own its own migrations.
/// </summary>
public class ConsentDb : DbContext
{
    public ConsentDb(DbContextOptions<ConsentDb> options)
        : base(options)
    {
    }

    /// <summary>For a store per provider: the same model, its own migrations (EF Core finds migrations by context type).</summary>
    protected ConsentDb(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Agency> Agencies => Set<Agency>();

    /// <summary>Recorded changes of what the policy reads about an agency: append-only.</summary>
    public DbSet<AgencyChange> AgencyChanges => Set<AgencyChange>();

    public DbSet<Survivor> Survivors => Set<Survivor>();

    public DbSet<ConsentGrant> Consents => Set<ConsentGrant>();

    public DbSet<ConsentGrantVersion> ConsentVersions => Set<ConsentGrantVersion>();

    public DbSet<DenyEntry> DenyEntries => Set<DenyEntry>();

    public DbSet<Mou> Mous => Set<Mou>();

    public DbSet<MouDocument> MouDocuments => Set<MouDocument>();

    public DbSet<StatutoryBasis> StatutoryBases => Set<StatutoryBasis>();

    public DbSet<ConsentRequest> ConsentRequests => Set<ConsentRequest>();

    public DbSet<BreakGlassRecord> BreakGlass => Set<BreakGlassRecord>();

    /// <summary>The disclosure log: append-only, written only by the log's single writer.</summary>
    public DbSet<DisclosureEntry> Disclosures => Set<DisclosureEntry>();

    /// <summary>The log's Merkle tree: complete-subtree hashes per leaf, append-only, written only by the integrator.</summary>
    public DbSet<DisclosureTreeRow> DisclosureTree => Set<DisclosureTreeRow>();

    /// <summary>Signed tree heads, append-only, in issue order.</summary>
    public DbSet<StoredTreeHead> TreeHeads => Set<StoredTreeHead>();

    /// <summary>Public keys of every key that signed tree heads, append-only.</summary>
    public DbSet<DisclosureLogKey> DisclosureLogKeys => Set<DisclosureLogKey>();

    public DbSet<FhirRecord> FhirRecords => Set<FhirRecord>();

    public DbSet<FhirPatientIdentifier> FhirPatientIdentifiers => Set<FhirPatientIdentifier>();

    public DbSet<FactsVersion> FactsVersions => Set<FactsVersion>();

    public sealed override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        AppendOnly.RefuseChanges(ChangeTracker);
        using var turn = ChangeTracker.HasChanges() ? SqliteWriteTurn.Take(this) : null;
        if (!FactsVersion.AnyFactChanged(ChangeTracker))
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }

        // The facts and their version move together, or not at all.
        using var transaction = Database.CurrentTransaction is null ? Database.BeginTransaction() : null;
        FactsVersion.Bump(this);
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        transaction?.Commit();
        return saved;
    }

    public sealed override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        AppendOnly.RefuseChanges(ChangeTracker);
        using var turn = ChangeTracker.HasChanges() ? await SqliteWriteTurn.TakeAsync(this, cancellationToken) : null;
        if (!FactsVersion.AnyFactChanged(ChangeTracker))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await using var transaction = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        await FactsVersion.BumpAsync(this, cancellationToken);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return saved;
    }

    protected sealed override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcInstantConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    /// <summary>Each feature's tables are configured beside its entities (an <see cref="IEntityTypeConfiguration{TEntity}"/> each).</summary>
    protected sealed override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ConsentDb).Assembly, type => type.Namespace?.StartsWith("Consent.Api", StringComparison.Ordinal) == true);
}
