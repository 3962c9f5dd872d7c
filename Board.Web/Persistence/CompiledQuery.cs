using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Board.Web.Persistence;

/// <summary>
/// A query compiled with <c>EF.CompileAsyncQuery</c> once per model: a compiled query may only run against the model it
/// was compiled for, and each provider's context has its own (one process of the tests runs both).
/// </summary>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> _compiled = new();

    public TQuery For(DbContext db) => _compiled.GetOrAdd(db.Model, _ => compile());
}
