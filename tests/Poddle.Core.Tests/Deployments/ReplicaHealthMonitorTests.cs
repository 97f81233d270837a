using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Deployments;

public sealed class ReplicaHealthMonitorTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_CrashLoop_RestartsAfter10Then20Then40Seconds(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        h.Driver.Script = _ => new FakePodScript(ExitAfter: TimeSpan.FromSeconds(5), ExitCode: 3);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();

        var crashes = new List<(DateTimeOffset At, DateTimeOffset RestartAt)>();
        var restarts = new List<DateTimeOffset>();
        var seenRestarts = 0;
        await h.RunForAsync(120, async () =>
        {
            var replica = Assert.Single(await h.ReplicasAsync(id));
            if (replica.Phase == ReplicaPhase.Crashed && (crashes.Count == 0 || crashes[^1].At != replica.LastExitAt))
            {
                crashes.Add((replica.LastExitAt!.Value, replica.NextRestartAt!.Value));
                Assert.Equal("exit code 3", replica.LastExitReason);
            }

            if (replica.Restarts != seenRestarts)
            {
                seenRestarts = replica.Restarts;
                restarts.Add(h.Clock.GetUtcNow());
            }
        });

        Assert.True(crashes.Count >= 3, $"{crashes.Count} crashes");
        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)],
            crashes.Take(3).Select(c => c.RestartAt - c.At));

        // Each restart happens when its back-off ends, not before.
        for (var i = 0; i < Math.Min(3, restarts.Count); i++)
        {
            Assert.Equal(crashes[i].RestartAt, restarts[i]);
        }

        var events = await h.EventsAsync(id);
        var crashed = Assert.Single(events, e => e.Type == "ReplicaCrashed");
        Assert.Equal("exit code 3", crashed.Reason);
        Assert.True(crashed.Count >= 3, "repeats are one de-duplicated event with a count");
        var deployment = await h.GetAsync(id);
        Assert.Equal(DeploymentStatus.Unhealthy, deployment.Status);
        Assert.Contains("exit code 3", deployment.StatusReason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_OomKilled_RecordsReasonAndRestarts(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var victim = (await h.ReplicasAsync(id))[0];

        await h.PodOf(victim).OomKillAsync();
        await h.RunForAsync(1);

        var crashed = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((ReplicaPhase.Crashed, false, "OOMKilled"), (crashed.Phase, crashed.Ready, crashed.LastExitReason));
        Assert.Equal(DeploymentStatus.Degraded, (await h.GetAsync(id)).Status);

        await h.RunForAsync(10);
        var restarted = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((ReplicaPhase.Running, 1), (restarted.Phase, restarted.Restarts));
        await h.RunForAsync(10);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "ReplicaCrashed" && e.Reason == "OOMKilled");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_ReadinessFailsBelowThreshold_NotReadyButNotRestarted(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(2, ControllerHarness.WebSpec(health: ControllerHarness.Http(failureThreshold: 3, periodSeconds: 10)));
        await h.SettleAsync();
        var victim = (await h.ReplicasAsync(id))[0];
        var notified = new List<Guid>();
        h.Services.GetRequiredService<DeploymentChangeSignal>().Changed += notified.Add;

        h.PodOf(victim).Healthy = false;
        await h.RunForAsync(15);

        var replica = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.False(replica.Ready);
        Assert.InRange(replica.ProbeFailures, 1, 2);
        Assert.Equal((0, victim.PodId), (replica.Restarts, replica.PodId));
        Assert.Contains(id, notified);
        Assert.Equal(DeploymentStatus.Degraded, (await h.GetAsync(id)).Status);

        h.PodOf(victim).Healthy = true;
        await h.RunForAsync(10);
        replica = (await h.ReplicasAsync(id)).Single(r => r.Id == victim.Id);
        Assert.Equal((true, 0, 0), (replica.Ready, replica.ProbeFailures, replica.Restarts));
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_LivenessFailsThresholdTimes_RestartsReplicaWithReason(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1, ControllerHarness.WebSpec(health: ControllerHarness.Http(failureThreshold: 3, periodSeconds: 10)));
        await h.SettleAsync();
        var before = Assert.Single(await h.ReplicasAsync(id));
        var oldPod = h.PodOf(before);

        oldPod.Healthy = false;
        await h.RunForAsync(35);

        var after = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(1, after.Restarts);
        Assert.NotEqual(before.PodId, after.PodId);
        Assert.Equal("liveness probe failed: HTTP 503 from /healthz", after.LastExitReason);
        Assert.DoesNotContain(h.Driver.Pods, p => p.Handle.PodId == before.PodId);
        Assert.Equal(TimeSpan.FromSeconds(3), oldPod.LastStopGrace);
        Assert.True(after.Ready);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == "ReplicaRestarted" && e.Reason.StartsWith("liveness probe failed", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_RepeatedProblems_NotifiesOwnerAtMostOncePerFiveMinutes(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();

        // Crash, recover, crash again within five minutes: two Unhealthy spells, one notification.
        for (var round = 0; round < 3; round++)
        {
            await h.PodOf(Assert.Single(await h.ReplicasAsync(id))).ExitAsync(1);
            await h.RunForAsync(60);
            Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        }

        var notifications = (await h.EventsAsync(id)).Where(e => e.Type == "Notification").Sum(e => e.Count);
        Assert.Equal(1, notifications);
        Assert.Equal(3, (await h.EventsAsync(id)).Where(e => e.Type == "StatusChanged" && e.Reason == "Unhealthy").Sum(e => e.Count));

        await h.RunForAsync(300);
        await h.PodOf(Assert.Single(await h.ReplicasAsync(id))).ExitAsync(1);
        await h.RunForAsync(2);
        Assert.Equal(2, (await h.EventsAsync(id)).Where(e => e.Type == "Notification").Sum(e => e.Count));
    }
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_Crash_EventCarriesTheLastStderrLinesWithSecretsMasked(DatabaseProvider provider)
    {
        const string Secret = "pw-Zq9-very-secret-7Yx";
        await using var h = await ControllerHarness.CreateAsync(provider);
        var spec = ControllerHarness.WebSpec(secretKeys: ["DB_PASSWORD"]);
        var id = await h.CreateDeploymentAsync(1, spec, new Dictionary<string, string> { ["DB_PASSWORD"] = Secret });
        await h.SettleAsync();
        var replica = Assert.Single(await h.ReplicasAsync(id));
        var pod = h.PodOf(replica);
        pod.WriteLog("listening on 8080");
        for (var i = 1; i <= 12; i++)
        {
            pod.WriteLog($"stderr line {i}", "stderr");
        }

        pod.WriteLog($"connecting with DB_PASSWORD={Secret}", "stderr");
        pod.WriteLog("\u001b[31mFATAL\u001b[0m: cannot connect", "stderr");

        await pod.ExitAsync(1);
        await h.RunForAsync(1);

        var crashed = Assert.Single(await h.EventsAsync(id), e => e.Type == "ReplicaCrashed");
        var lines = crashed.Message.Split('\n');
        Assert.Equal($"replica {ReplicaShortId.Of(replica.Id)} exited (exit code 1); restarting in 10 s", lines[0]);
        Assert.Equal("  last lines on stderr:", lines[1]);
        Assert.Equal(ReplicaCrashOutput.MaxLines, lines.Length - 2);
        Assert.Equal("    stderr line 6", lines[2]); // the last ten stderr lines, oldest first; stdout is not there
        Assert.Equal("    connecting with DB_PASSWORD=***", lines[^3]);
        Assert.Equal("    ?[31mFATAL?[0m: cannot connect", lines[^2]);
        Assert.Equal("    exited: exit code 1", lines[^1]); // the fake driver's own last line
        Assert.DoesNotContain(Secret, crashed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on 8080", crashed.Message, StringComparison.Ordinal);
        Assert.False(CrashLoop.IsCrashLooping((await h.ReplicasAsync(id)).Single()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_SecondCrashInARow_IsACrashLoop_TheEventSaysSoWithTheNewStderr(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var first = Assert.Single(await h.ReplicasAsync(id));
        h.PodOf(first).WriteLog("boom 1", "stderr");
        await h.PodOf(first).ExitAsync(1);
        await h.RunForAsync(1);
        Assert.False(CrashLoop.IsCrashLooping(Assert.Single(await h.ReplicasAsync(id))));

        await h.RunForAsync(10); // the 10 s back-off, then the restart
        var restarted = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal((ReplicaPhase.Running, 1), (restarted.Phase, restarted.Restarts));
        Assert.False(CrashLoop.IsCrashLooping(restarted)); // running again: its crash streak is 1
        h.PodOf(restarted).WriteLog("boom 2", "stderr");
        await h.PodOf(restarted).ExitAsync(1);
        await h.RunForAsync(1);

        var looping = Assert.Single(await h.ReplicasAsync(id));
        Assert.True(CrashLoop.IsCrashLooping(looping));
        var crashed = Assert.Single(await h.EventsAsync(id), e => e.Type == "ReplicaCrashed");
        Assert.Equal(2, crashed.Count);
        Assert.StartsWith($"replica {ReplicaShortId.Of(looping.Id)} exited (exit code 1); crash-looping (2 crashes in a row); restarting in 20 s\n", crashed.Message, StringComparison.Ordinal);
        Assert.Contains("    boom 2", crashed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("boom 1", crashed.Message, StringComparison.Ordinal); // the latest crash's pod
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_HealthCheckNone_ReadyWhileRunning_WithNothingListening(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider);
        var worker = ControllerHarness.WebSpec(health: new HealthCheckSpec(HealthCheckSpec.NoProbe, null, null, null, 1, 1, 1, 0));
        var id = await h.CreateDeploymentAsync(1, worker);
        await h.SettleAsync();
        var replica = Assert.Single(await h.ReplicasAsync(id));
        h.PodOf(replica).CloseListener(); // a background worker listens on nothing

        await h.RunForAsync(30);

        var after = Assert.Single(await h.ReplicasAsync(id));
        Assert.Equal((true, 0, replica.PodId), (after.Ready, after.Restarts, after.PodId));
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        Assert.DoesNotContain(await h.EventsAsync(id), e => e.Type == "ProbeFailed");
    }

    [Fact]
    public void CrashOutput_MasksLongestSecretFirst_CutsLongLines()
    {
        var lines = ReplicaCrashOutput.Clean(
            ["token=abcdef and abc", "tab\there", new string('x', ReplicaCrashOutput.MaxLineLength + 50)],
            ["abc", "abcdef", string.Empty]);

        Assert.Equal("token=*** and ***", lines[0]);
        Assert.Equal("tab here", lines[1]);
        Assert.Equal(new string('x', ReplicaCrashOutput.MaxLineLength) + "…", lines[2]);
    }
}
