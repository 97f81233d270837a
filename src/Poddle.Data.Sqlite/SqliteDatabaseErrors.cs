using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;

namespace Poddle.Data.Sqlite;

internal sealed class SqliteDatabaseErrors : IDatabaseErrors
{
    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY extended result codes.
    private const int UniqueConstraint = 2067;
    private const int PrimaryKeyConstraint = 1555;

    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteExtendedErrorCode: UniqueConstraint or PrimaryKeyConstraint };
}
