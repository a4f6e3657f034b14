using Consent.Api.Agencies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Survivors;

/// <summary>The survivors table, each with the agency that enrolled them and a minor's decision-maker.</summary>
internal sealed class SurvivorConfiguration : IEntityTypeConfiguration<Survivor>
{
    public void Configure(EntityTypeBuilder<Survivor> survivor)
    {
        survivor.HasKey(s => s.Id);
        survivor.Property(s => s.Id).HasMaxLength(64);
        survivor.HasIndex(s => s.EnrollingAgencyId);
        survivor.HasOne<Agency>().WithMany().HasForeignKey(s => s.EnrollingAgencyId).OnDelete(DeleteBehavior.Restrict);
        survivor.OwnsOne(s => s.DecisionMaker, maker =>
        {
            maker.Property(m => m.Kind).HasConversion<string>().HasMaxLength(40);
        });
    }
}
