using Consent.Identity.Agencies;
using Consent.Identity.Security;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Consent.Identity.Data;

/// <summary>
/// Users, roles, OpenIddict applications/authorizations/tokens, spent client assertion ids, the last
/// authenticator step each user signed in with, and suspended agencies.
/// </summary>
public class IdentityDb : IdentityDbContext<PlatformUser>
{
    public IdentityDb(DbContextOptions<IdentityDb> options)
        : base(options)
    {
    }

    /// <summary>For the PostgreSQL context, which keeps the model and has migrations of its own.</summary>
    protected IdentityDb(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<SpentAssertion> SpentAssertions => Set<SpentAssertion>();
    public DbSet<AuthenticatorStep> AuthenticatorSteps => Set<AuthenticatorStep>();
    public DbSet<SuspendedAgency> SuspendedAgencies => Set<SuspendedAgency>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.Entity<PlatformUser>(user =>
        {
            user.Property(u => u.AgencyId).HasMaxLength(64);
            user.Property(u => u.SurvivorId).HasMaxLength(64);
            user.HasIndex(u => u.SurvivorId).IsUnique().HasFilter("\"SurvivorId\" IS NOT NULL");
        });
        builder.Entity<SpentAssertion>(assertion =>
        {
            assertion.HasKey(a => new { a.ClientId, a.TokenId });
            assertion.Property(a => a.ClientId).HasMaxLength(100);
            assertion.Property(a => a.TokenId).HasMaxLength(200);
            assertion.HasIndex(a => a.ExpiresAtUnix);
        });
        builder.Entity<AuthenticatorStep>(step =>
        {
            step.HasKey(s => s.UserId);
            step.Property(s => s.UserId).HasMaxLength(450);
            step.HasOne<PlatformUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<SuspendedAgency>(agency =>
        {
            agency.HasKey(a => a.AgencyId);
            agency.Property(a => a.AgencyId).HasMaxLength(64);
            agency.Property(a => a.SuspendedBy).HasMaxLength(200);
        });
    }
}
