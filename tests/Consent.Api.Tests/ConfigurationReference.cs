using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Consent.Policies;
using Consent.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Consent.Api.Tests;

/// <summary>
/// Writes docs/configuration.md from the options classes themselves: every class with a <c>Section</c> (or
/// <c>SectionName</c>) constant in an app's assemblies, its properties' names, types and defaults (read from a new
/// instance, or from the app's appsettings.json where that sets them), their data annotations, and the summary
/// comments of the source files. Keys read without an options class are listed by hand in <see cref="OtherKeys"/>.
/// </summary>
public static partial class ConfigurationReference
{
    public const string DocumentPath = "docs/configuration.md";

    private static readonly (string App, Assembly[] Assemblies, string? Settings, string Source)[] Apps =
    [
        ("Every app", [typeof(StorageOptions).Assembly], null, "src/ServiceDefaults"),
        ("Consent.Api", [typeof(ApiEntryPoint).Assembly, typeof(PoliciesOptions).Assembly], "src/Consent.Api/appsettings.json", "src/Consent.Api"),
        ("Identity", [typeof(Identity.IdentityEntryPoint).Assembly], "src/Identity/appsettings.json", "src/Identity"),
        ("Portal", [typeof(Portal.PortalEntryPoint).Assembly], "src/Portal/appsettings.json", "src/Portal"),
    ];

    /// <summary>Sections bound to one property of their class rather than to the class (<c>DataCategories</c> is the table itself).</summary>
    private static readonly Dictionary<Type, string> BoundProperty = new()
    {
        [typeof(Categories.DataCategoryOptions)] = nameof(Categories.DataCategoryOptions.Categories),
    };

    /// <summary>Keys the apps read without an options class.</summary>
    private static readonly (string App, string Key, string Type, string Description)[] OtherKeys =
    [
        ("Each app", "Kestrel:Limits:MaxRequestBodySize", "long",
            "Largest request body in bytes; larger requests answer 413."),
        ("Each app", "Urls", "string", "Where the app listens (ASP.NET Core's own key), e.g. `http://+:8080` in a container."),
        ("Every app", "Serilog", "section", "Serilog's own configuration (minimum levels, overrides); logs go to the console and to `logs/` under `Storage:DataDirectory`."),
        ("Consent.Api", "ConnectionStrings:Consent", "string",
            "The Consent database. SQLite: a `Data Source=…` (default: `consent.db` under `Storage:DataDirectory`). PostgreSQL (`Storage:Provider` `Postgres`): required, an Npgsql connection string for the API's role."),
        ("Consent.Api", "ConnectionStrings:ConsentOwner", "string",
            "PostgreSQL only: the role that owns the tables; migrations run as it at start and it grants the API's role its privileges (docs/deployment.md). Optional."),
        ("Consent.Api", "Demo:Seed", "bool", "Seed the demo agencies, survivors, MOUs, consents and records at start (appsettings.Development.json sets it)."),
        ("Identity", "ConnectionStrings:Identity", "string",
            "Identity's database: users, clients, tokens and, on PostgreSQL, its key ring and token keys. SQLite: a `Data Source=…` (default: `identity.db` under `Storage:DataDirectory`). PostgreSQL (`Storage:Provider` `Postgres`): required, with `KeyRing:KeyEncryptionKey`."),
        ("Portal", "ConnectionStrings:Portal", "string",
            "PostgreSQL only (`Storage:Provider` `Postgres`), required there: the database of the portal's key ring and sign-in keys, shared by its instances, with `KeyRing:KeyEncryptionKey`. On SQLite the portal keeps its keys in files under `Storage:DataDirectory`."),
    ];

    /// <summary>The document, as the generator writes it now.</summary>
    public static string Render(string repositoryRoot)
    {
        var docs = SourceDocs.Read(repositoryRoot);
        var text = new StringBuilder();
        text.Append("""
            # Configuration reference

            Generated from the options classes by `ConfigurationReference` (tests/Consent.Api.Tests); do not edit by hand.
            Regenerate after changing an options class:

            ```sh
            CONSENT_WRITE_CONFIGURATION_REFERENCE=1 dotnet test tests/Consent.Api.Tests --filter ConfigurationReferenceTests
            ```

            Every key can be given in `appsettings.json`, on the command line (`--Section:Key=value`) or in the environment,
            where `:` becomes `__` (`Storage__Provider=Postgres`). Lists take an index (`Provider__Portal__RedirectUris__0`),
            tables a name (`Consents__Purposes__treatment__Code`). Durations are `[d.]hh:mm:ss[.fff]`. **Default** is what
            the app uses when nothing else sets the key: the app's `appsettings.json` where it sets it (marked so), else the
            options class's own value. **Checked** lists the data annotations validated at start; a section with a validator
            class is also checked by it at start (named under the section).
            See [deployment](deployment.md) for how the keys fit together on PostgreSQL and with several instances.


            """);
        foreach (var (app, assemblies, settingsPath, _) in Apps)
        {
            var settings = settingsPath is null
                ? new ConfigurationBuilder().Build()
                : new ConfigurationBuilder().AddJsonFile(Path.Combine(repositoryRoot, settingsPath)).Build();
            text.Append(CultureInfo.InvariantCulture, $"## {app}\n\n");
            if (app == "Every app")
            {
                text.Append("Read by Consent.Api, Identity and the portal alike (each from its own configuration).\n\n");
            }

            Table(text, "Other keys", null, OtherKeys.Where(k => k.App == app || (k.App == "Each app" && settingsPath is not null))
                .Select(k => new Row(k.Key, k.Type, Effective(settings, k.Key, null), "", k.Description)).ToList());
            foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(IsOptions).OrderBy(SectionOf, StringComparer.Ordinal).ThenBy(t => t.FullName, StringComparer.Ordinal))
            {
                var section = SectionOf(type);
                var rows = new List<Row>();
                var instance = Activator.CreateInstance(type)!;
                if (BoundProperty.TryGetValue(type, out var property))
                {
                    var bound = type.GetProperty(property)!;
                    Walk(bound.PropertyType, bound.GetValue(instance), section, bound, docs, settings, rows, asCollection: true);
                }
                else
                {
                    Walk(type, instance, section, null, docs, settings, rows, asCollection: false);
                }

                var validators = assemblies.SelectMany(a => a.GetTypes())
                    .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>) && i.GetGenericArguments()[0] == type))
                    .Select(t => $"`{t.Name}`").ToList();
                var about = docs.Summary(type.FullName!) + (validators.Count == 0 ? "" : $" Checked at start by {string.Join(", ", validators)}.")
                    + (typeof(IValidatableObject).IsAssignableFrom(type) ? $" Checked at start by `{type.Name}.Validate`." : "");
                Table(text, $"`{section}` ({type.FullName})", about.Trim(), rows);
            }
        }

        return text.ToString().TrimEnd() + "\n";
    }

    /// <summary>Every configuration key of the reference, <c>{n}</c> and <c>{name}</c> standing for any segment.</summary>
    public static IReadOnlyList<string> Keys(string document) =>
        KeyCell().Matches(document).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Whether a key, as a deployment sets it (<c>:</c> or <c>__</c>), is one of <paramref name="keys"/>.</summary>
    public static bool Knows(IReadOnlyList<string> keys, string key)
    {
        var segments = key.Replace("__", ":", StringComparison.Ordinal).Split(':');
        return keys.Any(known => Matches(known.Split(':'), segments));
    }

    /// <summary>A key itself, a list's key with an index after it, or anything under a section given whole (Serilog).</summary>
    private static bool Matches(string[] pattern, string[] segments)
    {
        if (pattern.Length > segments.Length
            || !pattern.Select((part, i) => part.StartsWith('{') || string.Equals(part, segments[i], StringComparison.OrdinalIgnoreCase)).All(same => same))
        {
            return false;
        }

        var rest = segments.Length - pattern.Length;
        return rest == 0 || (rest == 1 && int.TryParse(segments[^1], out _)) || pattern is ["Serilog"];
    }

    private sealed record Row(string Key, string Type, string Default, string Checked, string Description);

    private static void Table(StringBuilder text, string title, string? about, List<Row> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"### {title}\n\n");
        if (!string.IsNullOrEmpty(about))
        {
            text.Append(about).Append("\n\n");
        }

        text.Append("| key | environment | type | default | checked | description |\n|---|---|---|---|---|---|\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| `{row.Key}` | `{row.Key.Replace(":", "__", StringComparison.Ordinal)}` | {Cell(row.Type)} | {Cell(row.Default)} | {Cell(row.Checked)} | {Cell(row.Description)} |\n");
        }

        text.Append('\n');
    }

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static bool IsOptions(Type type) => type.IsClass && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null
        && SectionField(type) is { IsLiteral: true } field && field.FieldType == typeof(string);

    private static FieldInfo? SectionField(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) ?? type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static);

    private static string SectionOf(Type type) => (string)SectionField(type)!.GetRawConstantValue()!;

    private static void Walk(Type type, object? value, string prefix, PropertyInfo? owner, SourceDocs docs, IConfiguration settings, List<Row> rows, bool asCollection)
    {
        if (asCollection)
        {
            var element = type.GetGenericArguments()[^1];
            var name = typeof(IDictionary).IsAssignableFrom(type) ? "{name}" : "{n}";
            var set = settings.GetSection(prefix).GetChildren().Select(c => c.Key).ToList();
            rows.Add(new Row(prefix, $"table of {element.Name}", set.Count > 0 ? $"appsettings.json: {string.Join(", ", set)}" : "(empty)",
                "", owner is null ? "" : docs.Property(owner)));
            Walk(element, Activator.CreateInstance(element), $"{prefix}:{name}", null, docs, settings, rows, asCollection: false);
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).OrderBy(p => p.MetadataToken))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = property.PropertyType;
            var current = value is null ? null : property.GetValue(value);
            if (IsScalar(propertyType) || IsScalarList(propertyType))
            {
                rows.Add(new Row(key, TypeName(propertyType), Effective(settings, key, current), Checks(property), docs.Property(property)));
            }
            else if (propertyType.IsGenericType && (typeof(IDictionary).IsAssignableFrom(propertyType) || typeof(IList).IsAssignableFrom(propertyType)))
            {
                Walk(propertyType, current, key, property, docs, settings, rows, asCollection: true);
            }
            else
            {
                Walk(propertyType, current ?? Activator.CreateInstance(propertyType), key, property, docs, settings, rows, asCollection: false);
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(TimeSpan) || t == typeof(Uri) || t == typeof(decimal);
    }

    private static bool IsScalarList(Type type) =>
        (type.IsArray && IsScalar(type.GetElementType()!)) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && IsScalar(type.GetGenericArguments()[0]));

    private static string TypeName(Type type)
    {
        if (IsScalarList(type))
        {
            return "list of " + TypeName(type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0]);
        }

        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum ? string.Join(" or ", Enum.GetNames(t)) : t.Name switch
        {
            "Int32" => "int", "Int64" => "long", "Double" => "double", "Boolean" => "bool", "String" => "string", "Uri" => "URL", "TimeSpan" => "duration",
            var other => other,
        };
    }

    private static string Effective(IConfiguration settings, string key, object? current)
    {
        var section = settings.GetSection(key);
        if (section.Value is { } text)
        {
            object value = bool.TryParse(text, out var flag) ? flag : text;
            return Format(value) == Format(current) ? Format(current) : $"{Format(value)} (appsettings.json)";
        }

        var children = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return children.Count > 0 ? $"{string.Join(", ", children)} (appsettings.json)" : Format(current);
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        "" => "(empty)",
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => t.Ticks % TimeSpan.TicksPerSecond == 0 ? t.ToString("c", CultureInfo.InvariantCulture) : t.ToString("c", CultureInfo.InvariantCulture).TrimEnd('0'),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => items.Cast<object>().Any() ? string.Join(", ", items.Cast<object>().Select(Format)) : "(empty)",
        _ => value.ToString() ?? "",
    };

    private static string Checks(PropertyInfo property)
    {
        var checks = new List<string>();
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>())
        {
            checks.Add(attribute switch
            {
                RequiredAttribute => "required",
                RangeAttribute range => $"{range.Minimum} to {range.Maximum}",
                MinLengthAttribute length => $"at least {length.Length}",
                _ => attribute.GetType().Name.Replace("Attribute", "", StringComparison.Ordinal),
            });
        }

        return string.Join("; ", checks);
    }

    [GeneratedRegex(@"^\| `([^`]+)` \| `", RegexOptions.Multiline)]
    private static partial Regex KeyCell();

    /// <summary>The <c>/// &lt;summary&gt;</c> comments of the apps' classes and properties, read from the source files.</summary>
    private sealed partial class SourceDocs
    {
        private readonly Dictionary<string, string> summaries = new(StringComparer.Ordinal);

        public static SourceDocs Read(string root)
        {
            var docs = new SourceDocs();
            foreach (var folder in Apps.Select(a => a.Source).Append("src/Policies"))
            {
                foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("Migrations", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    docs.Add(File.ReadAllText(file));
                }
            }

            return docs;
        }

        public string Summary(string type) => summaries.GetValueOrDefault(type, "");

        public string Property(PropertyInfo property) => summaries.GetValueOrDefault(property.DeclaringType!.FullName + "." + property.Name, "");

        private void Add(string source)
        {
            var space = Namespace().Match(source).Groups[1].Value + ".";
            var classes = ClassDeclaration().Matches(source).Select(m => (m.Index, Name: space + m.Groups[2].Value)).ToList();
            foreach (Match match in Documented().Matches(source))
            {
                var text = Clean(match.Groups[1].Value);
                var declaration = match.Groups[2].Value;
                var type = ClassDeclaration().Match(declaration);
                if (type.Success)
                {
                    summaries.TryAdd(space + type.Groups[2].Value, text);
                }
                else if (PropertyName().Match(declaration) is { Success: true } property)
                {
                    var owner = classes.LastOrDefault(c => c.Index < match.Index);
                    if (owner.Name is not null)
                    {
                        summaries.TryAdd(owner.Name + "." + property.Groups[1].Value, text);
                    }
                }
            }
        }

        private static string Clean(string comment)
        {
            var text = string.Join(' ', comment.Split('\n').Select(line => line.Trim().TrimStart('/').Trim()));
            text = SeeCref().Replace(text, m => $"`{m.Groups[1].Value.Split('.')[^1]}`");
            text = Code().Replace(text, m => $"`{m.Groups[1].Value}`");
            text = Tag().Replace(text, "");
            return Spaces().Replace(System.Net.WebUtility.HtmlDecode(text), " ").Trim();
        }

        [GeneratedRegex(@"((?:[ \t]*///[^\n]*\n)+)(?:[ \t]*\[[^\n]*\]\s*\n)*[ \t]*(public [^\n]*)")]
        private static partial Regex Documented();

        [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
        private static partial Regex Namespace();

        [GeneratedRegex(@"\b(class|record)\s+(\w+)")]
        private static partial Regex ClassDeclaration();

        [GeneratedRegex(@"(\w+)\s*\{\s*get;")]
        private static partial Regex PropertyName();

        [GeneratedRegex(@"<see(?:also)? (?:cref|langword)=""([^""]+)""\s*/>")]
        private static partial Regex SeeCref();

        [GeneratedRegex(@"<c>(.*?)</c>")]
        private static partial Regex Code();

        [GeneratedRegex(@"</?(summary|para|remarks)>")]
        private static partial Regex Tag();

        [GeneratedRegex(@"\s+")]
        private static partial Regex Spaces();
    }
}
