using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Consents;

/// <summary>Every version of every grant, one row each.</summary>
internal sealed class ConsentGrantVersionConfiguration : IEntityTypeConfiguration<ConsentGrantVersion>
{
    public void Configure(EntityTypeBuilder<ConsentGrantVersion> version)
    {
        version.HasKey(v => v.Id);
        version.HasIndex(v => new { v.ConsentId, v.Version }).IsUnique();
        version.HasOne<ConsentGrant>().WithMany().HasForeignKey(v => v.ConsentId).OnDelete(DeleteBehavior.Restrict);
    }
}
