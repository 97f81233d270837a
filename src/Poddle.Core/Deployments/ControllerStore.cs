using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// Two tiny tables the deployment controller reads and writes with plain SQL, identical on SQLite and PostgreSQL
/// (created by the Deployments migration, outside the EF model): <c>poddle_settings</c> (key → value; holds the
/// installation id) and <c>poddle_leases</c> (the controller lease: which server runs the health monitor, the
/// reconciler and converge jobs); see docs/decisions/0006-deployment-controller.md.
/// </summary>
public sealed class ControllerStore(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>The settings key of the installation id.</summary>
    public const string InstallationIdKey = "installation_id";

    private string? _installationId;

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
    /// true when <paramref name="owner"/> holds it afterwards. Another owner's lease is taken only once it expired, or at
    /// once when its owner starts with <paramref name="takeOverPrefix"/> (this server's own earlier process, killed).
    /// </summary>
    public async Task<bool> TryHoldLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken, string? takeOverPrefix = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var expires = now + (long)duration.TotalMilliseconds;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO poddle_leases (name, owner, expires_at_ms) VALUES ({name}, {owner}, {expires}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        var updated = takeOverPrefix is { Length: > 0 } prefix
            ? await db.Database.ExecuteSqlAsync(
                $"UPDATE poddle_leases SET owner = {owner}, expires_at_ms = {expires} WHERE name = {name} AND (owner = {owner} OR expires_at_ms < {now} OR substr(owner, 1, {prefix.Length}) = {prefix})",
                cancellationToken)
            : await db.Database.ExecuteSqlAsync(
                $"UPDATE poddle_leases SET owner = {owner}, expires_at_ms = {expires} WHERE name = {name} AND (owner = {owner} OR expires_at_ms < {now})",
                cancellationToken);
        return updated == 1;
    }
}
