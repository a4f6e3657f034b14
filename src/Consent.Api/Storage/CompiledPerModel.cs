using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Consent.Api.Storage;

/// <summary>
/// <see cref="EF.CompileAsyncQuery{TContext, TResult}(Expression{Func{TContext, TResult}})"/>, compiled once per model
/// instead of once per process. EF Core binds a compiled query to the first model it runs with and refuses any other,
/// and a process may hold both stores' models (the SQLite and the PostgreSQL one: the tests run both). One model per
/// process costs one dictionary look-up per call.
/// </summary>
public static class CompiledPerModel
{
    public static Func<ConsentDb, Task<TResult>> AsyncQuery<TResult>(Expression<Func<ConsentDb, TResult>> query)
    {
        var compiled = new PerModel<Func<ConsentDb, Task<TResult>>>(() => EF.CompileAsyncQuery(query));
        return db => compiled.For(db)(db);
    }

    public static Func<ConsentDb, T1, Task<TResult>> AsyncQuery<T1, TResult>(Expression<Func<ConsentDb, T1, TResult>> query)
    {
        var compiled = new PerModel<Func<ConsentDb, T1, Task<TResult>>>(() => EF.CompileAsyncQuery(query));
        return (db, a) => compiled.For(db)(db, a);
    }

    public static Func<ConsentDb, T1, T2, Task<TResult>> AsyncQuery<T1, T2, TResult>(Expression<Func<ConsentDb, T1, T2, TResult>> query)
    {
        var compiled = new PerModel<Func<ConsentDb, T1, T2, Task<TResult>>>(() => EF.CompileAsyncQuery(query));
        return (db, a, b) => compiled.For(db)(db, a, b);
    }

    /// <summary>The cancellation token is the execution's, as with EF Core's own overload.</summary>
    public static Func<ConsentDb, T1, CancellationToken, Task<TResult>> AsyncQuery<T1, TResult>(
        Expression<Func<ConsentDb, T1, CancellationToken, TResult>> query)
    {
        var compiled = new PerModel<Func<ConsentDb, T1, CancellationToken, Task<TResult>>>(() => EF.CompileAsyncQuery(query));
        return (db, a, cancellationToken) => compiled.For(db)(db, a, cancellationToken);
    }

    public static Func<ConsentDb, T1, IAsyncEnumerable<TResult>> AsyncQuery<T1, TResult>(Expression<Func<ConsentDb, T1, IQueryable<TResult>>> query)
    {
        var compiled = new PerModel<Func<ConsentDb, T1, IAsyncEnumerable<TResult>>>(() => EF.CompileAsyncQuery(query));
        return (db, a) => compiled.For(db)(db, a);
    }

    private sealed class PerModel<TCompiled>(Func<TCompiled> compile)
        where TCompiled : class
    {
        private readonly ConcurrentDictionary<IModel, TCompiled> byModel = new();

        public TCompiled For(ConsentDb db) => byModel.GetOrAdd(db.Model, _ => compile());
    }
}
