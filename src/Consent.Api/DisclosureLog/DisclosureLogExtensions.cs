using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Consent.Api.DisclosureLog;

public static class DisclosureLogExtensions
{
    /// <summary>
    /// The disclosure log: <see cref="IDisclosureLog"/> for the read path, served by one background writer.
    /// Needs <c>ConsentDb</c> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static TBuilder AddDisclosureLog<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DisclosureLogOptions>().BindConfiguration(DisclosureLogOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DisclosureLogCommits>();
        builder.Services.AddSingleton<DisclosureLogWriter>();
        builder.Services.AddSingleton<IDisclosureLog>(services => services.GetRequiredService<DisclosureLogWriter>());
        builder.Services.AddHostedService(services => services.GetRequiredService<DisclosureLogWriter>());
        builder.Services.AddScoped<DisclosureQueries>();
        builder.Services.AddScoped<SurvivorDisclosures>();
        builder.Services.AddScoped<DisclosedRecords>();
        return builder;
    }
}

/// <summary>The log's table. UPDATE and DELETE on it are rejected by triggers (see the DisclosureLog migration).</summary>
internal sealed class DisclosureEntryConfiguration : IEntityTypeConfiguration<DisclosureEntry>
{
    public const string Table = "DisclosureLog";

    public void Configure(EntityTypeBuilder<DisclosureEntry> entry)
    {
        entry.ToTable(Table);
        entry.HasKey(e => e.Sequence);
        entry.Property(e => e.Sequence).ValueGeneratedNever();
        entry.Property(e => e.RecordedAt);
        entry.Property(e => e.RecipientAgencyId).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.ClientId).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.UserId).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.SurvivorId).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.ResourceType).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.PrimitiveCollection(e => e.ResourceIds);
        entry.Property(e => e.PurposeOfUse).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.Decision);
        entry.PrimitiveCollection(e => e.Basis).ElementType(element => element.HasConversion<DisclosureBasisConverter>());
        entry.Property(e => e.PolicyVersion).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.RequestId).HasMaxLength(DisclosureDraft.MaxFieldLength);
        entry.Property(e => e.BreakGlass);
        entry.Property(e => e.PreviousHash).HasMaxLength(64);
        entry.Property(e => e.Hash).HasMaxLength(64);
        entry.HasIndex(e => new { e.SurvivorId, e.Sequence });
        entry.HasIndex(e => new { e.RecipientAgencyId, e.Sequence });
        entry.HasIndex(e => e.RecordedAt);
    }
}

/// <summary>A basis is stored as <c>kind:id</c> text inside the entry's JSON list (e.g. <c>ConsentGrant:3f2c…</c>).</summary>
internal sealed class DisclosureBasisConverter() : ValueConverter<DisclosureBasis, string>(
    basis => basis.Kind.ToString() + ":" + basis.Id,
    text => new DisclosureBasis(Enum.Parse<DisclosureBasisKind>(text.Substring(0, text.IndexOf(':', StringComparison.Ordinal))),
        text.Substring(text.IndexOf(':', StringComparison.Ordinal) + 1)));
