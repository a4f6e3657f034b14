using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Consent.TestSupport;

/// <summary>A store's schema as the model describes it, to compare the SQLite and PostgreSQL models of one store.</summary>
public static class ModelSchema
{
    /// <summary>
    /// One line per table, column (name, nullability), key, foreign key and index, sorted; types differ by provider and are
    /// left out. Constraint names are cut to <paramref name="maxNameLength"/> as EF Core cuts them (PostgreSQL's limit is 63).
    /// </summary>
    public static List<string> Lines(DbContext db, int maxNameLength = int.MaxValue)
    {
        string Name(string name) => name.Length > maxNameLength ? name[..(maxNameLength - 1)] + "~" : name;
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var lines = new List<string>();
        foreach (var table in model.Tables)
        {
            lines.Add($"{table.Name}");
            lines.AddRange(table.Columns.Select(c => $"{table.Name}.{c.Name} {(c.IsNullable ? "null" : "not null")}"));
            if (table.PrimaryKey is { } key)
            {
                lines.Add($"{table.Name} PK {Name(key.Name)} ({string.Join(", ", key.Columns.Select(c => c.Name))})");
            }

            lines.AddRange(table.UniqueConstraints.Select(u => $"{table.Name} UQ {Name(u.Name)} ({string.Join(", ", u.Columns.Select(c => c.Name))})"));
            lines.AddRange(table.ForeignKeyConstraints.Select(f =>
                $"{table.Name} FK {Name(f.Name)} ({string.Join(", ", f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name} {f.OnDeleteAction}"));
            lines.AddRange(table.Indexes.Select(i =>
                $"{table.Name} IX {Name(i.Name)} ({string.Join(", ", i.Columns.Select(c => c.Name))}){(i.IsUnique ? " unique" : "")}{(i.Filter is null ? "" : " filtered")}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
