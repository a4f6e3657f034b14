using Consent.Identity;
using Consent.Identity.Clients;
using Consent.Identity.Connect;
using Consent.Identity.Localization;
using Consent.Identity.Security;
using Consent.ServiceDefaults;
using Consent.ServiceDefaults.Safety;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("identity");
builder.AddUserStore();
builder.AddOpenIdProvider();
builder.AddIdentityLocalization();
builder.AddQuickExit();

var app = builder.Build();

app.UseServiceDefaults();
app.UseSafetyHeaders(formActionSources: null);
app.UseStaticFilesWithQuickExit();
app.UseIdentityLocalization();
app.UseRateLimiter();
app.UseRouting();
app.UseMiddleware<FormGuard>();
app.UseAuthentication();
app.UseAuthorization();

app.MapRazorPages();
app.MapConnect();
app.MapQuickExit();
app.MapClients();
app.MapHealth();
app.MapGet("/", () => Results.Redirect("/.well-known/openid-configuration")).ExcludeFromDescription();

await app.InitializeAsync();
await app.RunAsync();
