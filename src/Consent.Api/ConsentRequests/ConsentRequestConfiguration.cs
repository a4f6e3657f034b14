using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.ConsentRequests;

/// <summary>Consent requests. The survivor id is kept as the caller gave it, with no foreign key: accepting a request must not reveal whether that survivor exists.</summary>
internal sealed class ConsentRequestConfiguration : IEntityTypeConfiguration<ConsentRequest>
{
    public void Configure(EntityTypeBuilder<ConsentRequest> request)
    {
        request.HasKey(r => r.Id);
        request.HasIndex(r => r.SurvivorId);
        request.HasIndex(r => r.RequestingAgencyId);
        request.Property(r => r.SurvivorId).HasMaxLength(64);
    }
}
