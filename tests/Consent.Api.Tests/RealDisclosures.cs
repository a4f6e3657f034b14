using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Consent.Api.Tests;

/// <summary>
/// Disclosures made as agencies make them: the shelter writes records through FHIR, the survivor grants the clinic
/// health records, the clinic reads them (permits) and the police try to (denies), each with its real token. Every read
/// is a real entry written by the API's own log writer.
/// </summary>
public static class RealDisclosures
{
    private const string Survivor = "sv-1001";

    /// <summary>Makes <paramref name="count"/> reads, about one in four denied; returns the log's last sequence after them.</summary>
    public static async Task<long> MakeAsync(ApiHost api, int count)
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(Survivor, "HH-" + Guid.NewGuid().ToString("n")[..6]));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "blood pressure"));
        var survivor = await api.Parties.Survivor();
        // The clinic may read health records: granted now, or already by the demo data or an earlier call (refused as a duplicate).
        var grant = await survivor.Post($"/api/survivors/{Survivor}/consents",
            ConsentsTests.Grant("northside-clinic", ["health"], ["treatment"], sources: ["harbor-house"]));
        if (grant.StatusCode != HttpStatusCode.Created)
        {
            await grant.Problem(HttpStatusCode.Conflict, "consent-duplicate");
        }

        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var police = await api.Parties.AgencySystem("metro-police");
        for (var i = 0; i < count; i++)
        {
            if (i % 4 == 3)
            {
                (await police.ReadAsync($"/fhir/Observation/{observation}", "LAWENF")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            }
            else
            {
                (await clinic.ReadAsync($"/fhir/Observation/{observation}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }

        return await api.LogHeadAsync();
    }

    /// <summary>Signs a tree head now, as a compliance officer; returns its JSON.</summary>
    public static async Task<JsonElement> SignHeadAsync(ApiHost api) =>
        await (await (await api.Parties.Compliance()).PostAsync("/api/log/tree-heads", null)).Json(HttpStatusCode.Created);
}

/// <summary>Changes a log database the way someone with the file, but not the API, could: triggers dropped first.</summary>
public sealed class Tamperer(string databaseFile) : IDisposable
{
    private readonly SqliteConnection connection = Open(databaseFile);

    public static readonly string[] AppendOnlyTriggers =
    [
        "DisclosureLog_NoUpdate", "DisclosureLog_NoDelete", "DisclosureTree_NoUpdate", "DisclosureTree_NoDelete",
        "DisclosureTreeHeads_NoUpdate", "DisclosureTreeHeads_NoDelete", "DisclosureLogKeys_NoUpdate", "DisclosureLogKeys_NoDelete",
        "DisclosureLog_NoReplace", "DisclosureTree_NoReplace", "DisclosureTreeHeads_NoReplace", "DisclosureLogKeys_NoReplace",
    ];

    public int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    public T Scalar<T>(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public List<object[]> Rows(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<object[]>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row.Select(v => v is DBNull ? null! : v).ToArray());
        }

        return rows;
    }

    public void Dispose()
    {
        connection.Dispose();
        SqliteConnection.ClearPool(connection);
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        foreach (var trigger in AppendOnlyTriggers)
        {
            using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP TRIGGER IF EXISTS \"{trigger}\"";
            drop.ExecuteNonQuery();
        }

        return connection;
    }
}
