using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// Two tiny tables the deployment controller keeps outside the EF model (created on first use, identical SQL on SQLite
/// and PostgreSQL): <c>poddle_settings</c> (key → value; holds the installation id) and <c>poddle_leases</c> (the
/// controller lease: which server runs the health monitor, the reconciler and converge jobs). Kept out of the model so
/// they need no migration; see docs/decisions/0006-deployment-controller.md.
/// </summary>
public sealed class ControllerStore(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    /// <summary>The settings key of the installation id.</summary>
    public const string InstallationIdKey = "installation_id";

    private readonly SemaphoreSlim _schema = new(1, 1);
    private string? _installationId;
    private bool _created;

    /// <summary>
    /// The installation id: generated once per database and stable across restarts, so every server sharing the database
    /// labels pods (<c>poddle.owner</c>) alike and no two installations sharing an engine adopt each other's pods.
    /// Read once per process.
    /// </summary>
    public async Task<string> GetInstallationIdAsync(CancellationToken cancellationToken)
    {
        if (_installationId is { } cached)
        {
            return cached;
        }

        await EnsureTablesAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var candidate = Guid.NewGuid().ToString("N");
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO poddle_settings (key, value) VALUES ({InstallationIdKey}, {candidate}) ON CONFLICT (key) DO NOTHING",
            cancellationToken);
        var stored = await db.Database
            .SqlQuery<string>($"SELECT value AS \"Value\" FROM poddle_settings WHERE key = {InstallationIdKey}")
            .SingleAsync(cancellationToken);
        _installationId = stored;
        return stored;
    }

    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="owner"/> until now + <paramref name="duration"/>;
    /// true when <paramref name="owner"/> holds it afterwards. Another owner's lease is taken only once it expired.
    /// </summary>
    public async Task<bool> TryHoldLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var expires = now + (long)duration.TotalMilliseconds;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO poddle_leases (name, owner, expires_at_ms) VALUES ({name}, {owner}, {expires}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        var updated = await db.Database.ExecuteSqlAsync(
            $"UPDATE poddle_leases SET owner = {owner}, expires_at_ms = {expires} WHERE name = {name} AND (owner = {owner} OR expires_at_ms < {now})",
            cancellationToken);
        return updated == 1;
    }

    public void Dispose() => _schema.Dispose();

    private async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        if (_created)
        {
            return;
        }

        await _schema.WaitAsync(cancellationToken);
        try
        {
            if (_created)
            {
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await db.Database.ExecuteSqlRawAsync(
                        "CREATE TABLE IF NOT EXISTS poddle_settings (key VARCHAR(100) NOT NULL PRIMARY KEY, value VARCHAR(4000) NOT NULL)",
                        cancellationToken);
                    await db.Database.ExecuteSqlRawAsync(
                        "CREATE TABLE IF NOT EXISTS poddle_leases (name VARCHAR(100) NOT NULL PRIMARY KEY, owner VARCHAR(200) NOT NULL, expires_at_ms BIGINT NOT NULL)",
                        cancellationToken);
                    break;
                }
                catch (Exception) when (attempt < 3)
                {
                    // Two servers creating the table at once on PostgreSQL: one loses on the catalog's unique index; the table exists then.
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
                }
            }

            _created = true;
        }
        finally
        {
            _schema.Release();
        }
    }
}
