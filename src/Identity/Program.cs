using Consent.Identity;
using Consent.Identity.Clients;
using Consent.Identity.Connect;
using Consent.Identity.Security;
using Consent.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("identity");
builder.AddUserStore();
builder.AddOpenIdProvider();

var app = builder.Build();

app.UseServiceDefaults();
app.UseStaticFiles();
app.UseRateLimiter();
app.UseRouting();
app.UseMiddleware<FormGuard>();
app.UseAuthentication();
app.UseAuthorization();

app.MapRazorPages();
app.MapConnect();
app.MapClients();
app.MapHealth();
app.MapGet("/", () => Results.Redirect("/.well-known/openid-configuration")).ExcludeFromDescription();

await app.InitializeAsync();
await app.RunAsync();
