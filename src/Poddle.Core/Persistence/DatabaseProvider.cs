namespace Poddle.Core.Persistence;

/// <summary>Which database the server runs on; some behaviour (e.g. how many servers may share the queue) depends on it.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The configured database, as a service (readiness and the queue read it).</summary>
public sealed record DatabaseInfo(DatabaseProvider Provider);
