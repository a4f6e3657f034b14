using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Agencies;

/// <summary>The agencies table.</summary>
internal sealed class AgencyConfiguration : IEntityTypeConfiguration<Agency>
{
    public void Configure(EntityTypeBuilder<Agency> agency)
    {
        agency.HasKey(a => a.Id);
        agency.Property(a => a.Id).HasMaxLength(64);
        agency.Property(a => a.Name).HasMaxLength(200);
        agency.Property(a => a.Type).HasMaxLength(40);
    }
}
