using System.Collections.Concurrent;
using Board.Domain.Proposals;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Board.Web.Persistence;

/// <summary>
/// The rows of an approval — the approval added, the proposal's changed columns — written by the writer's turn itself,
/// one prepared statement each, and then marked saved; EF Core's save writes whatever else is pending. Its save built a
/// command batch, ordered it and accepted the changes under the write lock for two one-row statements: ~110 µs of a
/// ~430 µs turn. The statements are made from EF Core's model (tables, columns, the concurrency token) and the values
/// bound through its type mappings (converters, GUID text), so what is stored is what its save would store.
/// </summary>
internal static class SqliteRows
{
    private sealed record Table(string Name, StoreObjectIdentifier Store, IProperty[] Columns, IProperty[] Keys, IProperty[] Tokens, string Insert);

    private static readonly ConcurrentDictionary<IEntityType, Table> Tables = new();
    private static readonly ConcurrentDictionary<(IEntityType Type, string Set), string> Updates = new();

    // Only makes parameters (SqliteCommand.CreateParameter is new SqliteParameter()); never run.
    private static readonly SqliteCommand ParameterMaker = new();

    /// <summary>
    /// Writes the added approvals and modified proposals among <paramref name="entries"/> (the tracker's, changes already
    /// detected) with <paramref name="write"/>, and marks them saved. Nothing when a row is deleted or a proposal added:
    /// then EF Core's save orders everything itself.
    /// </summary>
    public static void Write(IReadOnlyList<EntityEntry> entries, Func<string, IEnumerable<SqliteParameter>, int> write)
    {
        if (entries.Any(e => e.State == EntityState.Deleted || e is { State: EntityState.Added, Entity: Proposal })) return;
        // The proposal first: its approvals refer to it.
        foreach (var entry in entries.Where(e => e is { State: EntityState.Modified, Entity: Proposal }).ToList())
        {
            Update(entry, write);
            Saved(entry);
        }
        foreach (var entry in entries.Where(e => e is { State: EntityState.Added, Entity: Approval }).ToList())
        {
            if (write(TableOf(entry.Metadata).Insert, Values(entry, TableOf(entry.Metadata).Columns, current: true)) != 1)
                throw new DbUpdateException("An approval was not inserted.");
            Saved(entry);
        }
    }

    private static void Update(EntityEntry entry, Func<string, IEnumerable<SqliteParameter>, int> write)
    {
        var table = TableOf(entry.Metadata);
        var changed = table.Columns.Where(p => entry.Property(p.Name).IsModified).ToArray();
        if (changed.Length == 0) return;
        var set = string.Join(",", changed.Select(p => p.Name));
        var sql = Updates.GetOrAdd((entry.Metadata, set), key => UpdateSql(table, changed));
        var parameters = Values(entry, changed, current: true)
            .Concat(Values(entry, table.Keys, current: false, first: changed.Length))
            .Concat(Values(entry, table.Tokens, current: false, first: changed.Length + table.Keys.Length));
        // The version is checked as EF Core's save would: a row changed meanwhile is not overwritten.
        if (write(sql, parameters) != 1)
            throw new DbUpdateConcurrencyException($"The {table.Name} row changed or went away since it was read.");
    }

    /// <summary>
    /// Marks an entry written here as saved: its original values become those stored, then it is unchanged — in that
    /// order, as setting a modified entry unchanged puts its original values back.
    /// </summary>
    private static void Saved(EntityEntry entry)
    {
        entry.OriginalValues.SetValues(entry.CurrentValues);
        entry.State = EntityState.Unchanged;
    }

    private static IEnumerable<SqliteParameter> Values(EntityEntry entry, IProperty[] properties, bool current, int first = 0)
    {
        for (var i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            var value = current ? entry.CurrentValues[property] : entry.OriginalValues[property];
            yield return (SqliteParameter)property.GetRelationalTypeMapping().CreateParameter(ParameterMaker, Name(first + i), value, property.IsNullable);
        }
    }

    private static string Name(int i) => "$p" + i;

    private static Table TableOf(IEntityType type) => Tables.GetOrAdd(type, t =>
    {
        var name = t.GetTableName() ?? throw new InvalidOperationException($"{t.DisplayName()} is not mapped to a table.");
        var store = StoreObjectIdentifier.Table(name, t.GetSchema());
        var columns = t.GetProperties().ToArray();
        if (t.GetDerivedTypes().Any() || t.BaseType is not null || columns.Any(p => p.GetColumnName(store) is null || p.ValueGenerated != ValueGenerated.Never))
            throw new InvalidOperationException($"{t.DisplayName()} cannot be written row by row: its mapping is more than one table's plain columns.");
        var keys = t.FindPrimaryKey()!.Properties.ToArray();
        var tokens = columns.Where(p => p.IsConcurrencyToken).ToArray();
        var insert = $"INSERT INTO {Quote(name)} ({string.Join(", ", columns.Select(p => Quote(p.GetColumnName(store)!)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => Name(i)))})";
        return new Table(name, store, columns, keys, tokens, insert);
    });

    private static string UpdateSql(Table table, IProperty[] changed)
    {
        var store = table.Store;
        var n = 0;
        var set = string.Join(", ", changed.Select(p => $"{Quote(p.GetColumnName(store)!)} = {Name(n++)}"));
        var where = string.Join(" AND ", table.Keys.Concat(table.Tokens).Select(p => $"{Quote(p.GetColumnName(store)!)} = {Name(n++)}"));
        return $"UPDATE {Quote(table.Name)} SET {set} WHERE {where}";
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
