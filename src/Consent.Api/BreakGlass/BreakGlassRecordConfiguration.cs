using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.BreakGlass;

/// <summary>Break-glass records. The survivor id is kept as the caller gave it, with no foreign key: declaring one must not reveal whether that survivor exists.</summary>
internal sealed class BreakGlassRecordConfiguration : IEntityTypeConfiguration<BreakGlassRecord>
{
    public void Configure(EntityTypeBuilder<BreakGlassRecord> record)
    {
        record.HasKey(r => r.Id);
        record.HasIndex(r => r.AgencyId);
        record.HasIndex(r => r.ReviewedAt);
        record.Property(r => r.SurvivorId).HasMaxLength(64);
    }
}
