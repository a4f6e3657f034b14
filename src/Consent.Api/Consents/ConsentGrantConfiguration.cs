using Consent.Api.Agencies;
using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Consents;

/// <summary>The grants table: the current version of each grant, its version number as the concurrency token.</summary>
internal sealed class ConsentGrantConfiguration : IEntityTypeConfiguration<ConsentGrant>
{
    public void Configure(EntityTypeBuilder<ConsentGrant> grant)
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
    }
}
