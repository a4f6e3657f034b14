using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Mous;

/// <summary>MOUs with their parties (signatures) and flows.</summary>
internal sealed class MouConfiguration : IEntityTypeConfiguration<Mou>
{
    public void Configure(EntityTypeBuilder<Mou> mou)
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
    }
}
