using Microsoft.EntityFrameworkCore;
using Npgsql;
using Poddle.Core.Persistence;

namespace Poddle.Data.Postgres;

internal sealed class PostgresDatabaseErrors : IDatabaseErrors
{
    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
