using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>A replica's output survives its container being replaced by a restart (up to the log cap).</summary>
public sealed partial class DockerPodDriverTests
{
    [Fact]
    public async Task DestroyForRestart_NextContainersLogsBeginWithThePreviousOnesUntilTheReplicaIsDestroyed()
    {
        var driver = await DriverAsync();
        var replica = Guid.NewGuid().ToString("N");
        // The pause orders the lines across streams: the engine stamps each pipe's lines as it reads them.
        var first = await StartAsync(driver, ReplicaSpec(replica, "echo first life; sleep 0.3; echo crashing >&2; exit 1"));
        await driver.WaitAsync(first, Timeout(30));

        // What the controller does on a restart: the exited container goes, the replica's next one starts.
        await driver.DestroyForRestartAsync(first, Timeout(30));
        await driver.DestroyForRestartAsync(first, Timeout(30));
        var second = await StartAsync(driver, ReplicaSpec(replica, "echo second life"));
        await driver.WaitAsync(second, Timeout(30));

        Assert.Equal(PodState.NotFound, (await driver.InspectAsync(first, Timeout(10))).State);
        Assert.Equal([second.PodId], (await ListAsync(driver)).Select(h => h.PodId));
        Assert.Equal(["first life", "crashing", "second life"], (await ReadLogsAsync(driver, second, new PodLogQuery(Tail: 100))).Select(l => l.Text));
        Assert.Equal(["crashing", "second life"], (await ReadLogsAsync(driver, second, new PodLogQuery(Tail: 2))).Select(l => l.Text));
        Assert.Equal(["second life"], (await ReadLogsAsync(driver, second, new PodLogQuery(Tail: 1))).Select(l => l.Text));

        // A follow that joins a new container reads it from its first line only (what came before was followed already).
        Assert.Equal(["second life"], (await ReadLogsAsync(driver, second, new PodLogQuery(Follow: true))).Select(l => l.Text));

        // A second restart keeps only the container it replaces.
        await driver.DestroyForRestartAsync(second, Timeout(30));
        var third = await StartAsync(driver, ReplicaSpec(replica, "echo third life"));
        await driver.WaitAsync(third, Timeout(30));
        Assert.Equal(["second life", "third life"], (await ReadLogsAsync(driver, third, new PodLogQuery())).Select(l => l.Text));

        // Destroying the replica's container removes what was kept for it.
        await driver.DestroyAsync(third, Timeout(30));
        Assert.Empty(await ReplicaContainersAsync(replica));
    }

    [Fact]
    public async Task DestroyForRestart_KeepingTurnedOff_RemovesTheContainer()
    {
        var options = DockerTestEngine.Options();
        options.KeepPreviousContainer = false;
        var driver = await DriverAsync(options);
        var replica = Guid.NewGuid().ToString("N");
        var pod = await StartAsync(driver, ReplicaSpec(replica, "echo hi"));
        await driver.WaitAsync(pod, Timeout(30));

        await driver.DestroyForRestartAsync(pod, Timeout(30));

        Assert.Empty(await ReplicaContainersAsync(replica));
    }

    private PodSpec ReplicaSpec(string replica, string script) =>
        Spec(script) with { Labels = new Dictionary<string, string>(Labels()) { [PodLabels.Replica] = replica } };

    private async Task<IList<ContainerListResponse>> ReplicaContainersAsync(string replica) =>
        await Engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{PodLabels.Replica}={replica}"] = true } },
        });
}
