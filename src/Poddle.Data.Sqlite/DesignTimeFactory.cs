using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Poddle.Data.Sqlite;

/// <summary>Lets `dotnet ef migrations add` build the context without the server.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<SqlitePoddleDbContext>
{
    public SqlitePoddleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePoddleDbContext>().UseSqlite("Data Source=design.db").Options);
}
