using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Consent.Api.Storage;

/// <summary>
/// An entity's table as the EF model maps it, for rows written without the change tracker (which costs more than the
/// write itself at the log's batch sizes, and at a seed's): the columns and value conversions (instants, enums, JSON
/// lists) come from the entity's mapping, owned types stored in the same table included, so a row written this way
/// reads back through EF exactly as if EF wrote it. Integer keys the database generates are left to it.
/// </summary>
internal sealed class TableColumns<TEntity>
    where TEntity : class
{
    private readonly Func<TEntity, object?>[] values;

    private TableColumns(string table, string[] names, Func<TEntity, object?>[] values)
    {
        this.values = values;
        Count = names.Length;
        var columns = string.Join(", ", names.Select(name => $"\"{name}\""));
        InsertSql = $"INSERT INTO \"{table}\" ({columns}) VALUES ({string.Join(", ", RowInserts.ParameterNames.Take(names.Length))})";
        CopySql = $"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT BINARY)";
    }

    public int Count { get; }

    /// <summary><c>INSERT … VALUES (@p0, @p1, …)</c>, parameters in column order.</summary>
    public string InsertSql { get; }

    /// <summary><c>COPY … FROM STDIN (FORMAT BINARY)</c>, columns in the same order (PostgreSQL).</summary>
    public string CopySql { get; }

    public static TableColumns<TEntity> From(IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entity = model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = new List<(string Name, Func<TEntity, object?> Value)>();
        Add(entity, table, owner => owner, columns);
        return new TableColumns<TEntity>(table.Name, [.. columns.Select(c => c.Name)], [.. columns.Select(c => c.Value)]);
    }

    /// <summary>The entity's values as the database stores them, in column order.</summary>
    public object?[] Row(TEntity entity)
    {
        var row = new object?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            row[i] = values[i](entity);
        }

        return row;
    }

    private static void Add(IEntityType type, StoreObjectIdentifier table, Func<TEntity, object?> owner, List<(string, Func<TEntity, object?>)> columns)
    {
        foreach (var property in type.GetProperties())
        {
            // An owned type's key is the owner's (a shadow property on the same column); a generated integer key is the database's.
            if (property.IsShadowProperty()
                || (property.IsPrimaryKey() && property.ValueGenerated == ValueGenerated.OnAdd && property.ClrType == typeof(long)))
            {
                continue;
            }

            var getter = property.GetGetter();
            var converter = property.GetTypeMapping().Converter;
            columns.Add((property.GetColumnName(table)!, entity =>
            {
                var value = owner(entity) is { } instance ? getter.GetClrValue(instance) : null;
                return value is null || converter is null ? value : converter.ConvertToProvider(value);
            }));
        }

        foreach (var navigation in type.GetNavigations())
        {
            if (navigation.IsCollection || !navigation.TargetEntityType.IsOwned() || navigation.TargetEntityType.GetTableName() != table.Name)
            {
                continue;
            }

            var get = navigation.GetGetter();
            Add(navigation.TargetEntityType, table, entity => owner(entity) is { } instance ? get.GetClrValue(instance) : null, columns);
        }
    }
}
