using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Tests.Deployments;
using Poddle.Testing;

namespace Poddle.Core.Tests.Agents;

/// <summary>
/// Agent tokens, heartbeats and lost pods on the real controller (converge job, health monitor) with a
/// <see cref="FakePodDriver"/>, on SQLite and PostgreSQL, with a fake clock the test advances.
/// </summary>
public sealed class AgentHeartbeatTests
{
    private static readonly TimeSpan LostAfter = new AgentOptions().LostAfter;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Start_GivesEachPodServerUrlAndToken_StoresOnlyItsHash(DatabaseProvider provider)
    {
        await using var h = await StartAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();

        var specs = h.Driver.Started.ToList();
        Assert.Equal(2, specs.Count);
        var tokens = specs.Select(s => s.Env[AgentTokens.TokenVariable]).ToList();
        Assert.All(specs, s => Assert.Equal("http://127.0.0.1:8080", s.Env[AgentTokens.ServerVariable]));
        Assert.All(tokens, t => Assert.StartsWith("pagent_", t, StringComparison.Ordinal));
        Assert.All(tokens, t => Assert.True(t.Length >= 49, t.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotEqual(tokens[0], tokens[1]);

        await using var scope = h.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var rows = await db.Set<ReplicaAgent>().AsNoTracking().ToListAsync();
        Assert.Equal(tokens.Select(SecretTokens.Hash).Order(), rows.Select(r => r.TokenHash).Order());
        Assert.All(rows, r => Assert.Null(r.LastHeartbeatAt));
        var replicas = await h.ReplicasAsync(id);
        foreach (var (spec, token) in specs.Zip(tokens))
        {
            var identity = await Heartbeats(scope).AuthenticateAsync(token, CancellationToken.None);
            Assert.NotNull(identity);
            Assert.Equal(spec.Labels[Drivers.Abstractions.Pods.PodLabels.Replica], identity.ReplicaId.ToString("N"));
            Assert.Equal(id, identity.DeploymentId);
        }

        // Nothing but the hash is stored: neither the token nor the events carry it.
        var everything = string.Join('\n', (await db.DeploymentEvents.AsNoTracking().ToListAsync()).Select(e => e.Message + e.Reason))
            + string.Join('\n', (await db.DeploymentRevisions.AsNoTracking().ToListAsync()).Select(r => r.SpecJson));
        Assert.All(tokens, t => Assert.DoesNotContain(t, everything, StringComparison.Ordinal));
        Assert.All(replicas, r => Assert.DoesNotContain("pagent_", r.PodState ?? string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Heartbeat_StoredThenLostAfterSilence_ThenRecovered_EventsDeduplicated(DatabaseProvider provider)
    {
        await using var h = await StartAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var token = h.Driver.Started.Single().Env[AgentTokens.TokenVariable];
        var replica = Assert.Single(await h.ReplicasAsync(id));

        Assert.Equal("unknown", (await HealthAsync(h, replica.Id)).Status);
        Assert.True(await BeatAsync(h, token, "degraded"));
        var health = await HealthAsync(h, replica.Id);
        Assert.Equal(("degraded", h.Clock.GetUtcNow()), (health.Status, health.LastHeartbeatAt!.Value));
        Assert.Contains("\"status\":\"degraded\"", health.ReportJson, StringComparison.Ordinal);

        // Silent for exactly the limit: not yet lost. One second more: lost, once.
        h.Clock.Advance(LostAfter);
        Assert.Equal(0, await h.Services.GetRequiredService<AgentLostMonitor>().RunOnceAsync(CancellationToken.None));
        Assert.Equal("degraded", (await HealthAsync(h, replica.Id)).Status);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await h.Services.GetRequiredService<AgentLostMonitor>().RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await h.Services.GetRequiredService<AgentLostMonitor>().RunOnceAsync(CancellationToken.None));
        Assert.Equal("lost", (await HealthAsync(h, replica.Id)).Status);
        var lost = Assert.Single(await h.EventsAsync(id), e => e.Type == "AgentLost");
        Assert.Equal(("Warning", replica.Id, 1), (lost.Severity, lost.ReplicaId!.Value, lost.Count));

        Assert.True(await BeatAsync(h, token, "healthy"));
        Assert.Equal("healthy", (await HealthAsync(h, replica.Id)).Status);
        Assert.Single(await h.EventsAsync(id), e => e.Type == "AgentRecovered");

        // Silent again: a second loss within the de-duplication window is the same event with a count.
        h.Clock.Advance(LostAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await h.Services.GetRequiredService<AgentLostMonitor>().RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, Assert.Single(await h.EventsAsync(id), e => e.Type == "AgentLost").Count);

        await using var scope = h.Scope();
        var row = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<ReplicaAgent>().AsNoTracking().SingleAsync();
        Assert.Equal(2, row.Heartbeats);
        Assert.NotNull(row.LostAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task NoAgent_StaysUnknownNeverLost(DatabaseProvider provider)
    {
        await using var h = await StartAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var replica = Assert.Single(await h.ReplicasAsync(id));

        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await h.Services.GetRequiredService<AgentLostMonitor>().RunOnceAsync(CancellationToken.None));

        Assert.Equal(PodHealth.Unknown, await HealthAsync(h, replica.Id));
        Assert.DoesNotContain(await h.EventsAsync(id), e => e.Type.StartsWith("Agent", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Restart_NewPodGetsNewToken_OldOneRefused_HealthStartsOver(DatabaseProvider provider)
    {
        await using var h = await StartAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var replica = Assert.Single(await h.ReplicasAsync(id));
        var first = h.Driver.Started.Single().Env[AgentTokens.TokenVariable];
        Assert.True(await BeatAsync(h, first, "healthy"));

        // The pod crashes; the health monitor restarts it after the back-off, for the same replica.
        await h.PodOf(replica).ExitAsync(1);
        await h.RunForAsync(15);
        Assert.Equal(2, h.Driver.Started.Count);
        var second = h.Driver.Started.Last().Env[AgentTokens.TokenVariable];
        Assert.NotEqual(first, second);
        Assert.Equal(replica.Id, Assert.Single(await h.ReplicasAsync(id)).Id);

        await using var scope = h.Scope();
        Assert.Null(await Heartbeats(scope).AuthenticateAsync(first, CancellationToken.None));
        Assert.Equal("unknown", (await HealthAsync(h, replica.Id)).Status);
        Assert.True(await BeatAsync(h, second, "critical"));
        Assert.Equal("critical", (await HealthAsync(h, replica.Id)).Status);

        // A heartbeat authenticated just before the restart must not land on the new pod's row.
        var stale = new AgentIdentity(replica.Id, id, SecretTokens.Hash(first));
        Assert.False(await Heartbeats(scope).RecordAsync(stale, new AgentHeartbeat("1", "healthy", "{}"), CancellationToken.None));
        Assert.Equal("critical", (await HealthAsync(h, replica.Id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ScaledAwayOrDeleted_TokenRefused(DatabaseProvider provider)
    {
        await using var h = await StartAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var tokens = h.Driver.Started.Select(s => s.Env[AgentTokens.TokenVariable]).ToList();

        await h.ChangeAsync(id, d => d.Replicas = 1, cause: "scale");
        await h.SettleAsync();
        await using (var scope = h.Scope())
        {
            var results = new List<bool>();
            foreach (var token in tokens)
            {
                results.Add(await Heartbeats(scope).AuthenticateAsync(token, CancellationToken.None) is not null);
            }

            Assert.Equal(1, results.Count(r => r));
        }

        await h.ChangeAsync(id, d => d.DeletedAt = h.Clock.GetUtcNow(), cause: "delete");
        await h.SettleAsync();
        await using (var scope = h.Scope())
        {
            foreach (var token in tokens)
            {
                Assert.Null(await Heartbeats(scope).AuthenticateAsync(token, CancellationToken.None));
            }

            Assert.Null(await Heartbeats(scope).AuthenticateAsync("pagent_not-a-token", CancellationToken.None));
            Assert.Null(await Heartbeats(scope).AuthenticateAsync("pdl_" + tokens[0], CancellationToken.None));
        }
    }

    private static async Task<ControllerHarness> StartAsync(DatabaseProvider provider)
    {
        var h = await ControllerHarness.CreateAsync(provider);

        // As the host does once it listens (a wildcard listen address becomes loopback for pods).
        h.Services.GetRequiredService<AgentServerAddress>().SetListenAddresses(["http://0.0.0.0:8080"]);
        return h;
    }

    private static AgentHeartbeatService Heartbeats(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<AgentHeartbeatService>();

    private static async Task<bool> BeatAsync(ControllerHarness h, string token, string status)
    {
        await using var scope = h.Scope();
        var heartbeats = Heartbeats(scope);
        var identity = await heartbeats.AuthenticateAsync(token, CancellationToken.None);
        Assert.NotNull(identity);
        return await heartbeats.RecordAsync(identity, new AgentHeartbeat("test", status, $"{{\"status\":\"{status}\"}}"), CancellationToken.None);
    }

    private static async Task<PodHealth> HealthAsync(ControllerHarness h, Guid replicaId)
    {
        await using var scope = h.Scope();
        var all = await scope.ServiceProvider.GetRequiredService<PodHealthReader>().GetAsync([replicaId], CancellationToken.None);
        return all.GetValueOrDefault(replicaId, PodHealth.Unknown);
    }
}
