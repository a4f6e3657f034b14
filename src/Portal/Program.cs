using Consent.Portal.AgencyAdmin;
using Consent.Portal.ConsentApi;
using Consent.Portal.Errors;
using Consent.Portal.Localization;
using Consent.Portal.Pages;
using Consent.Portal.Safety;
using Consent.Portal.SignIn;
using Consent.ServiceDefaults;
using Consent.ServiceDefaults.KeyRing;
using Consent.ServiceDefaults.Safety;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("portal");
builder.AddErrorPages();
builder.AddSafety();
builder.AddPortalLocalization();
builder.AddPortalSignIn();
builder.AddConsentApiClient();
builder.AddAgencyAdministration();
builder.AddPortalPages();

var app = builder.Build();

app.UseServiceDefaults();
app.UseSafetyHeaders();
app.UseStaticFilesWithQuickExit();
app.UsePortalLocalization();
app.UseErrorPages();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();

app.MapRazorPages();
app.MapSignIn();
app.MapQuickExit();
app.MapHealth();

await app.Services.MigrateKeyRingAsync();
await app.RunAsync();
