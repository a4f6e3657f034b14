using Consent.Api.Agencies;
using Consent.Api.Auth;
using Consent.Api.BreakGlass;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.ConsentRequests;
using Consent.Api.Consents;
using Consent.Api.Demo;
using Consent.Api.DenyList;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Docs;
using Consent.Api.Fhir;
using Consent.Api.Mous;
using Consent.Api.Problems;
using Consent.Api.StatutoryBases;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Policies;
using Consent.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("consent-api");
builder.AddApiProblems();
builder.AddConsentStore();
builder.AddTokenValidation();
builder.AddApiDocs();
builder.AddDataCategories();
builder.AddAgencies();
builder.AddSurvivors();
builder.AddConsents();
builder.AddDenyList();
builder.AddMous();
builder.AddStatutoryBases();
builder.AddConsentRequests();
builder.AddBreakGlass();
builder.AddDisclosureLog();
builder.AddDisclosureTree();
builder.Services.AddPolicies(builder.Configuration);
builder.AddFhir();
builder.AddDemoData();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();

app.MapApiDocs();
app.MapHealth();
app.MapCaller();
app.MapCategories();
app.MapAgencies();
app.MapSurvivors();
app.MapConsents();
app.MapDenyList();
app.MapMous();
app.MapStatutoryBases();
app.MapConsentRequests();
app.MapBreakGlass();
app.MapDisclosures();
app.MapDisclosureTree();
app.MapFhir();
app.MapBareReadBenchmark();

await app.MigrateConsentStoreAsync();
await app.SeedDemoDataAsync();
await app.RunAsync();
