using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentLocksTests
{
    [Fact]
    public async Task AcquireAsync_ManyDeploymentsReleased_KeepsNoEntry()
    {
        var locks = new DeploymentLocks();

        for (var i = 0; i < 1000; i++)
        {
            using var held = await locks.AcquireAsync(Guid.NewGuid(), CancellationToken.None);
            Assert.Equal(1, locks.Count);
        }

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AcquireAsync_SameDeploymentHeld_WaitsUntilReleasedThenEvicts()
    {
        var locks = new DeploymentLocks();
        var id = Guid.NewGuid();
        var first = await locks.AcquireAsync(id, CancellationToken.None);

        var second = locks.AcquireAsync(id, CancellationToken.None);

        Assert.False(second.IsCompleted);
        first.Dispose();
        using (await second)
        {
            // The waiter kept the entry through the first holder's release.
            Assert.Equal(1, locks.Count);
        }

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AcquireAsync_OtherDeploymentHeld_DoesNotWait()
    {
        var locks = new DeploymentLocks();
        using var first = await locks.AcquireAsync(Guid.NewGuid(), CancellationToken.None);

        var other = locks.AcquireAsync(Guid.NewGuid(), CancellationToken.None);

        Assert.True(other.IsCompletedSuccessfully);
        (await other).Dispose();
        Assert.Equal(1, locks.Count);
    }

    [Fact]
    public async Task AcquireAsync_WaitCancelled_LeavesOnlyTheHolder()
    {
        var locks = new DeploymentLocks();
        var id = Guid.NewGuid();
        var held = await locks.AcquireAsync(id, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = locks.AcquireAsync(id, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, locks.Count);
        held.Dispose();
        Assert.Equal(0, locks.Count);

        // The lock still works after the entry was evicted and made again.
        using var again = await locks.AcquireAsync(id, CancellationToken.None);
        Assert.Equal(1, locks.Count);
    }

    [Fact]
    public async Task Dispose_Twice_ReleasesOnce()
    {
        var locks = new DeploymentLocks();
        var id = Guid.NewGuid();
        var first = await locks.AcquireAsync(id, CancellationToken.None);
        var second = locks.AcquireAsync(id, CancellationToken.None);
        var third = locks.AcquireAsync(id, CancellationToken.None);

        first.Dispose();
        first.Dispose();

        using (await second)
        {
            Assert.False(third.IsCompleted);
        }

        (await third).Dispose();
        Assert.Equal(0, locks.Count);
    }
}
