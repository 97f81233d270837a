using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Poddle.Data.Postgres;

/// <summary>Lets `dotnet ef migrations add` build the context without a server (no connection is opened).</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PostgresPoddleDbContext>
{
    public PostgresPoddleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPoddleDbContext>().UseNpgsql("Host=localhost;Database=poddle_design").Options);
}
