using Consent.Api.Auth;
using Consent.Api.Caller;
using Consent.Api.Docs;
using Consent.Api.Storage;
using Consent.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("consent-api");
builder.AddConsentStore();
builder.AddTokenValidation();
builder.AddApiDocs();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();

app.MapApiDocs();
app.MapHealth();
app.MapCaller();

await app.MigrateConsentStoreAsync();
await app.RunAsync();
