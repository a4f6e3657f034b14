using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Mous;

/// <summary>The signed document of each MOU, apart from the MOU row.</summary>
internal sealed class MouDocumentConfiguration : IEntityTypeConfiguration<MouDocument>
{
    public void Configure(EntityTypeBuilder<MouDocument> document)
    {
        document.HasKey(d => d.MouId);
        document.HasOne<Mou>().WithOne().HasForeignKey<MouDocument>(d => d.MouId).OnDelete(DeleteBehavior.Cascade);
    }
}
