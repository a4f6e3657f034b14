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
/// The model stays provider-neutral (SQLite now, PostgreSQL later): no provider-specific SQL, instants as
/// UTC milliseconds, enums as text, lists of ids as primitive collections.
/// </summary>
public sealed class ConsentDb(DbContextOptions<ConsentDb> options) : DbContext(options)
{
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

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        AppendOnly.RefuseChanges(ChangeTracker);
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

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        AppendOnly.RefuseChanges(ChangeTracker);
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

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcInstantConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new AgencyChangeConfiguration());
        modelBuilder.Entity<Agency>(agency =>
        {
            agency.HasKey(a => a.Id);
            agency.Property(a => a.Id).HasMaxLength(64);
            agency.Property(a => a.Name).HasMaxLength(200);
            agency.Property(a => a.Type).HasMaxLength(40);
        });

        modelBuilder.Entity<Survivor>(survivor =>
        {
            survivor.HasKey(s => s.Id);
            survivor.Property(s => s.Id).HasMaxLength(64);
            survivor.HasIndex(s => s.EnrollingAgencyId);
            survivor.HasOne<Agency>().WithMany().HasForeignKey(s => s.EnrollingAgencyId).OnDelete(DeleteBehavior.Restrict);
            survivor.OwnsOne(s => s.DecisionMaker, maker =>
            {
                maker.Property(m => m.Kind).HasConversion<string>().HasMaxLength(40);
            });
        });

        modelBuilder.Entity<ConsentGrant>(grant =>
        {
            grant.HasKey(g => g.Id);
            grant.HasIndex(g => g.SurvivorId);
            grant.HasIndex(g => g.RecipientAgencyId);
            grant.HasOne<Survivor>().WithMany().HasForeignKey(g => g.SurvivorId).OnDelete(DeleteBehavior.Restrict);
            grant.HasOne<Agency>().WithMany().HasForeignKey(g => g.RecipientAgencyId).OnDelete(DeleteBehavior.Restrict);
            grant.OwnsOne(g => g.Text);
            grant.Ignore(g => g.Versions);
            grant.Ignore(g => g.Terms);
            grant.Property(g => g.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<ConsentGrantVersion>(version =>
        {
            version.HasKey(v => v.Id);
            version.HasIndex(v => new { v.ConsentId, v.Version }).IsUnique();
            version.HasOne<ConsentGrant>().WithMany().HasForeignKey(v => v.ConsentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<DenyEntry>(entry =>
        {
            entry.HasKey(e => e.Id);
            entry.HasIndex(e => e.SurvivorId);
            entry.HasOne<Survivor>().WithMany().HasForeignKey(e => e.SurvivorId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Mou>(mou =>
        {
            mou.HasKey(m => m.Id);
            mou.Property(m => m.Title).HasMaxLength(200);
            mou.Property(m => m.DocumentSha256).HasMaxLength(64);
            mou.OwnsMany(m => m.Parties, party =>
            {
                party.WithOwner().HasForeignKey("MouId");
                party.Property<long>("Id").ValueGeneratedOnAdd();
                party.HasKey("Id");
                party.HasIndex(p => p.AgencyId);
            });
            mou.OwnsMany(m => m.Flows, flow =>
            {
                flow.WithOwner().HasForeignKey("MouId");
                flow.Property<long>("Id").ValueGeneratedOnAdd();
                flow.HasKey("Id");
            });
        });

        modelBuilder.Entity<MouDocument>(document =>
        {
            document.HasKey(d => d.MouId);
            document.HasOne<Mou>().WithOne().HasForeignKey<MouDocument>(d => d.MouId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<StatutoryBasis>(basis =>
        {
            basis.HasKey(b => b.Id);
            basis.HasIndex(b => b.SurvivorId);
            basis.Property(b => b.Kind).HasMaxLength(16);
            basis.Property(b => b.CaseNumber).HasMaxLength(64);
            basis.HasOne<Survivor>().WithMany().HasForeignKey(b => b.SurvivorId).OnDelete(DeleteBehavior.Restrict);
            basis.OwnsMany(b => b.InvolvedAgencies, involved =>
            {
                involved.WithOwner().HasForeignKey("StatutoryBasisId");
                involved.Property<long>("Id").ValueGeneratedOnAdd();
                involved.HasKey("Id");
                involved.HasIndex(a => a.AgencyId);
            });
            basis.OwnsOne(b => b.DecisionMaker, maker => maker.Property(m => m.Kind).HasConversion<string>().HasMaxLength(40));
        });

        // Requests and break-glass records carry the survivor id as the caller gave it, with no foreign key:
        // accepting one must not reveal whether that survivor exists.
        modelBuilder.Entity<ConsentRequest>(request =>
        {
            request.HasKey(r => r.Id);
            request.HasIndex(r => r.SurvivorId);
            request.HasIndex(r => r.RequestingAgencyId);
            request.Property(r => r.SurvivorId).HasMaxLength(64);
        });

        modelBuilder.Entity<BreakGlassRecord>(record =>
        {
            record.HasKey(r => r.Id);
            record.HasIndex(r => r.AgencyId);
            record.HasIndex(r => r.ReviewedAt);
            record.Property(r => r.SurvivorId).HasMaxLength(64);
        });

        modelBuilder.Entity<FactsVersion>(version =>
        {
            version.HasKey(v => v.Id);
            version.Property(v => v.Id).ValueGeneratedNever();
            version.HasData(new { Id = FactsVersion.SingletonId, Version = 0L });
        });

        modelBuilder.ApplyConfiguration(new DisclosureEntryConfiguration());
        modelBuilder.ApplyConfiguration(new DisclosureTreeRowConfiguration());
        modelBuilder.ApplyConfiguration(new StoredTreeHeadConfiguration());
        modelBuilder.ApplyConfiguration(new DisclosureLogKeyConfiguration());
        modelBuilder.ApplyConfiguration(new FhirRecordConfiguration());
        modelBuilder.ApplyConfiguration(new FhirPatientIdentifierConfiguration());
    }
}
