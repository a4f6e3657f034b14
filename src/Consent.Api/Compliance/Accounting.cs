using System.Globalization;
using System.Resources;
using System.Text;
using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.DisclosureLog;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

/// <summary>
/// Names the accounting's texts (AccountingText.resx, English, and one file per language beside it: .es, .ko). A language
/// is added by adding its file (and one for the vocabulary's words, Vocabulary/VocabularyText.resx).
/// </summary>
public sealed class AccountingText
{
    public static readonly ResourceManager Resources = new("Consent.Api.Compliance.AccountingText", typeof(AccountingText).Assembly);
}

/// <summary>
/// A survivor's accounting of disclosures (HIPAA §164.528): for each disclosure in the period, when, to whom (name, kind
/// of agency, how to reach it), what kinds of records and how many, why and on what basis; in the survivor's language.
/// </summary>
public sealed record AccountingView(
    string SurvivorId,
    string Language,
    DateOnly From,
    DateOnly To,
    DateTimeOffset GeneratedAt,
    string Title,
    string Intro,
    string? Empty,
    bool Truncated,
    string? TruncatedNote,
    IReadOnlyList<AccountedDisclosure> Items);

public sealed record AccountedDisclosure(
    long Sequence,
    DateTimeOffset At,
    AccountedRecipient Recipient,
    IReadOnlyList<string> What,
    int RecordCount,
    PurposeView Purpose,
    IReadOnlyList<BasisView> Basis,
    bool BreakGlass,
    bool ChildProtectionReport,
    IReadOnlyList<string> Notes,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ClientId);

/// <summary>The recipient as far as the platform knows it: no street address is stored, so the region and point of contact stand for it.</summary>
public sealed record AccountedRecipient(string Id, string Name, string? Type, string? TypeDisplay, string? Region, string? Contact);

public sealed record AccountingQuery(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "language")] string? Language);

public sealed partial class Accounting(
    ConsentDb db, SurvivorAccess access, DisclosedRecords records, IOptions<ComplianceOptions> options, IOptions<ConsentOptions> consents,
    VocabularyCatalogue vocabulary, TimeProvider time, ILogger<Accounting> logger)
{
    private static readonly string[] Parameters = ["from", "to", "language"];

    public async Task<Outcome<AccountingView>> ForSurvivorAsync(
        ApiCaller caller, string survivorId, AccountingQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        // Whether the survivor exists and may be seen is answered first: a foreign id learns no more than a missing one.
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } hidden)
        {
            return hidden;
        }

        var survivor = read.Value!;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, Parameters, errors);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var to = Day(query.To, "to", errors) ?? today;
        var from = Day(query.From, "from", errors) ?? today.AddYears(-options.Value.AccountingYears);
        if (errors.Count == 0 && from > to)
        {
            errors["to"] = ["The last day must not be before the first."];
        }

        var languages = consents.Value.Languages;
        var language = query.Language ?? survivor.PreferredLanguage;
        if (query.Language is not null && !languages.Contains(query.Language, StringComparer.Ordinal))
        {
            errors["language"] = ["One of: " + string.Join(", ", languages) + "."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var culture = Culture(languages.Contains(language, StringComparer.Ordinal) ? language : languages[0]);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var maximum = options.Value.AccountingMaximumItems;
        // Denied reads disclosed nothing, so they are not disclosures; 51A and break-glass permits are.
        var entries = await db.Disclosures.AsNoTracking()
            .Where(e => e.SurvivorId == survivorId && e.Decision == DisclosureDecision.Permit && e.RecordedAt >= start && e.RecordedAt < end)
            .OrderByDescending(e => e.Sequence).Take(maximum + 1).ToListAsync(cancellationToken);
        var truncated = entries.Count > maximum;
        if (truncated)
        {
            entries.RemoveAt(maximum);
        }

        var agencyIds = entries.Select(e => e.RecipientAgencyId).Distinct().ToList();
        var agencies = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, StringComparer.Ordinal, cancellationToken);
        var labels = await records.LabelsAsync(entries, cancellationToken);
        var staff = !caller.IsSurvivor;
        var items = entries.Select(e => Item(e, agencies.GetValueOrDefault(e.RecipientAgencyId), labels, culture, staff)).ToList();
        var dateFormat = "yyyy-MM-dd";
        LogAccounted(logger, survivorId, items.Count);
        return new AccountingView(survivorId, culture.Name, from, to, time.GetUtcNow(), Text("Title", culture),
            string.Format(culture, Text("Intro", culture), from.ToString(dateFormat, CultureInfo.InvariantCulture), to.ToString(dateFormat, CultureInfo.InvariantCulture)),
            items.Count == 0 ? Text("None", culture) : null, truncated, truncated ? Text("Truncated", culture) : null, items);
    }

    /// <summary>The same accounting as plain text to print or keep: one block per disclosure, newest first.</summary>
    public static string ToText(AccountingView view)
    {
        var culture = Culture(view.Language);
        var text = new StringBuilder();
        text.AppendLine(view.Title).AppendLine(new string('=', Math.Max(view.Title.Length, 10)));
        text.Append(Text("Survivor", culture)).Append(": ").AppendLine(view.SurvivorId);
        text.AppendLine(view.Intro).AppendLine();
        if (view.Empty is { } empty)
        {
            text.AppendLine(empty);
        }

        foreach (var item in view.Items)
        {
            text.Append(Text("Date", culture)).Append(": ").AppendLine(item.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            text.Append("  ").Append(Text("Recipient", culture)).Append(": ").Append(item.Recipient.Name);
            text.AppendLine(item.Recipient.TypeDisplay is { } type ? $" ({type})" : "");
            var reach = string.Join(", ", new[] { item.Recipient.Region, item.Recipient.Contact }.Where(s => !string.IsNullOrWhiteSpace(s)));
            if (reach.Length > 0)
            {
                text.Append("  ").Append(Text("Where", culture)).Append(": ").AppendLine(reach);
            }

            text.Append("  ").Append(Text("What", culture)).Append(": ").Append(string.Join(", ", item.What))
                .Append(" - ").AppendLine(string.Format(culture, Text("Records", culture), item.RecordCount));
            text.Append("  ").Append(Text("Purpose", culture)).Append(": ").AppendLine(item.Purpose.Display);
            text.Append("  ").Append(Text("Basis", culture)).Append(": ").AppendLine(string.Join("; ", item.Basis.Select(b => b.Label)));
            foreach (var note in item.Notes)
            {
                text.Append("  ! ").AppendLine(note);
            }

            text.AppendLine();
        }

        if (view.TruncatedNote is { } cut)
        {
            text.AppendLine(cut);
        }

        return text.ToString();
    }

    private AccountedDisclosure Item(DisclosureEntry entry, Agency? agency, Dictionary<string, List<string>> labels, CultureInfo culture, bool staff)
    {
        var what = DisclosedRecords.ToConsentDirectory(entry) && entry.ResourceType == "Patient"
            ? [Text("DirectoryPatient", culture)]
            : records.RecordCategories(entry, labels)
                .Select(c => c.Category is { } code ? CategoryName(code, culture) : c.ResourceType)
                .Distinct(StringComparer.Ordinal).ToList();
        var childProtection = entry.Basis.Any(b => b.Kind == DisclosureBasisKind.StatutoryBasis);
        var notes = new List<string>();
        if (entry.BreakGlass)
        {
            notes.Add(Text("Emergency", culture));
        }

        if (childProtection)
        {
            notes.Add(Text("ChildProtection", culture));
        }

        var recipient = agency is null
            ? new AccountedRecipient(entry.RecipientAgencyId, entry.RecipientAgencyId, null, null, null, null)
            : new AccountedRecipient(agency.Id, agency.Name, agency.Type, vocabulary.Display(VocabularyKind.AgencyType, agency.Type, culture), agency.Region,
                agency.PointOfContact);
        return new AccountedDisclosure(
            entry.Sequence,
            entry.RecordedAt,
            recipient,
            what,
            entry.ResourceIds.Count,
            Purpose(entry.PurposeOfUse, culture),
            [.. entry.Basis.OrderBy(b => b.Kind == DisclosureBasisKind.Mou)
                .Select(b => new BasisView(b.Kind, b.Id, vocabulary.Display(VocabularyKind.Basis, b.Kind.ToString(), culture)))],
            entry.BreakGlass,
            childProtection,
            notes,
            staff ? entry.ClientId : null);
    }

    private string CategoryName(string code, CultureInfo culture) =>
        vocabulary.Display(VocabularyKind.Category, code, culture);

    private PurposeView Purpose(string code, CultureInfo culture) => new(code, vocabulary.Display(VocabularyKind.Purpose, code, culture));

    private static string Text(string key, CultureInfo culture) => Optional(key, culture) ?? key;

    private static string? Optional(string key, CultureInfo culture) => AccountingText.Resources.GetString(key, culture);

    private static CultureInfo Culture(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language, predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }

    private static DateOnly? Day(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors[field] = ["A date as yyyy-MM-dd, e.g. 2026-03-31."];
        return null;
    }

    [LoggerMessage(EventId = 4903, Level = LogLevel.Information, Message = "Accounting of disclosures of survivor {SurvivorId}: {Count} disclosures")]
    private static partial void LogAccounted(ILogger logger, string survivorId, int count);
}
