using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.StatutoryBases;

/// <summary>Statutory bases (51A cases) with the agencies involved.</summary>
internal sealed class StatutoryBasisConfiguration : IEntityTypeConfiguration<StatutoryBasis>
{
    public void Configure(EntityTypeBuilder<StatutoryBasis> basis)
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
    }
}
