using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.DenyList;

/// <summary>The survivors' deny-list entries (removed ones are kept, marked).</summary>
internal sealed class DenyEntryConfiguration : IEntityTypeConfiguration<DenyEntry>
{
    public void Configure(EntityTypeBuilder<DenyEntry> entry)
    {
        entry.HasKey(e => e.Id);
        entry.HasIndex(e => e.SurvivorId);
        entry.HasOne<Survivor>().WithMany().HasForeignKey(e => e.SurvivorId).OnDelete(DeleteBehavior.Restrict);
    }
}
