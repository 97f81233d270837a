using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Tests.Alerts;
using Poddle.Drivers.Abstractions.Webhooks;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// The controller's notifications as alerts: the real controller (converge job, health monitor) on the fake driver and a
/// fake clock, the real notifier and queue, the owner's webhook a real HTTP receiver.
/// </summary>
public sealed class DeploymentAlertsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Controller_CrashLoopThenFixed_OneAlertAtTheOwnersWebhookAndOneRecovery(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await ControllerHarness.CreateAsync(provider, services =>
            services.AddPoddleAlerts(options => options.Configure(o => o.OwnerWebhookPrivateNetworks = true)));
        await using (var scope = h.Scope())
        {
            var set = await scope.ServiceProvider.GetRequiredService<AlertService>()
                .UpdateSettingsAsync(h.OwnerId, new AlertSettingsInput(receiver.Url("/owner"), WebhookFormatNames.Json, AlertLevelNames.Warning), CancellationToken.None);
            Assert.True(set.IsSuccess);
        }

        h.Driver.Script = _ => new FakePodScript(ExitAfter: TimeSpan.FromMilliseconds(500), ExitCode: 3);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        await h.RunForAsync(180);

        Assert.Equal(DeploymentStatus.Unhealthy, (await h.GetAsync(id)).Status);
        var problem = Assert.Single(receiver.Accepted("/owner"));
        Assert.Equal(AlertMessageKinds.Problem, problem.GetProperty("kind").GetString());
        Assert.Equal(DeploymentAlerts.Key(id, DeploymentAlertKinds.CrashLoop), problem.GetProperty("key").GetString());
        Assert.Equal(h.OwnerId, problem.GetProperty("ownerId").GetGuid());
        Assert.Equal("Deployment web is crash-looping", problem.GetProperty("title").GetString());
        Assert.Contains("exit code 3", problem.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Fixed: the next restart's pod keeps running, the deployment is Running again, and the incident ends.
        h.Driver.Script = _ => new FakePodScript();
        await h.RunForAsync(180);

        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        var messages = receiver.Accepted("/owner");
        Assert.Equal([AlertMessageKinds.Problem, AlertMessageKinds.Recovery], messages.Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal(problem.GetProperty("incidentId").GetGuid(), messages[1].GetProperty("incidentId").GetGuid());
        await using var check = h.Scope();
        Assert.Empty(check.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<AlertIncident>().Where(i => i.FiringKey != null));
    }
}
