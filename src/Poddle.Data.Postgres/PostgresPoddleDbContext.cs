using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;

namespace Poddle.Data.Postgres;

/// <summary>The PostgreSQL flavour of the model; DateTimeOffset maps to timestamptz (always UTC).</summary>
public sealed class PostgresPoddleDbContext(DbContextOptions<PostgresPoddleDbContext> options) : PoddleDbContext(options);
