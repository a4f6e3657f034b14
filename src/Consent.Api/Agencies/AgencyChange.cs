using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Agencies;

/// <summary>
/// A recorded change of something the sharing policy reads about an agency (its type, whether it is active).
/// Only platform admins make such changes; the record is never changed or removed.
/// </summary>
public sealed class AgencyChange
{
    public const string TypeField = "type";
    public const string ActiveField = "active";

    private AgencyChange()
    {
    }

    public AgencyChange(Guid id, string agencyId, string field, string oldValue, string newValue, string changedBy, DateTimeOffset changedAt)
    {
        Id = id;
        AgencyId = agencyId;
        Field = field;
        OldValue = oldValue;
        NewValue = newValue;
        ChangedBy = changedBy;
        ChangedAt = changedAt;
    }

    public Guid Id { get; private set; }

    public string AgencyId { get; private set; } = "";

    public string Field { get; private set; } = "";

    public string OldValue { get; private set; } = "";

    public string NewValue { get; private set; } = "";

    /// <summary>The platform admin's subject id.</summary>
    public string ChangedBy { get; private set; } = "";

    public DateTimeOffset ChangedAt { get; private set; }
}

internal sealed class AgencyChangeConfiguration : IEntityTypeConfiguration<AgencyChange>
{
    public void Configure(EntityTypeBuilder<AgencyChange> change)
    {
        change.HasKey(c => c.Id);
        change.Property(c => c.AgencyId).HasMaxLength(64);
        change.Property(c => c.Field).HasMaxLength(40);
        change.Property(c => c.OldValue).HasMaxLength(40);
        change.Property(c => c.NewValue).HasMaxLength(40);
        change.Property(c => c.ChangedBy).HasMaxLength(200);
        change.HasIndex(c => new { c.AgencyId, c.ChangedAt });
        change.HasOne<Agency>().WithMany().HasForeignKey(c => c.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}
