using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Storage;

/// <summary>The one row holding the facts version.</summary>
internal sealed class FactsVersionConfiguration : IEntityTypeConfiguration<FactsVersion>
{
    public void Configure(EntityTypeBuilder<FactsVersion> version)
    {
        version.HasKey(v => v.Id);
        version.Property(v => v.Id).ValueGeneratedNever();
        version.HasData(new { Id = FactsVersion.SingletonId, Version = 0L });
    }
}
