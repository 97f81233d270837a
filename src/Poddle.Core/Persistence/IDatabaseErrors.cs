using Microsoft.EntityFrameworkCore;

namespace Poddle.Core.Persistence;

/// <summary>Provider-specific reading of database errors (each provider reports constraint violations its own way).</summary>
public interface IDatabaseErrors
{
    /// <summary>True when the save failed because a unique index or primary key already holds the value.</summary>
    bool IsUniqueViolation(DbUpdateException exception);
}
