namespace Poddle.Core.Deployments;

/// <summary>
/// Opens once the reconciler's startup pass has re-adopted the pods of an earlier process: nothing else (converge
/// jobs, the health monitor) touches pods before, so a restarted server never restarts or duplicates a running replica.
/// </summary>
public sealed class DeploymentControllerStartup
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => _opened.Task.IsCompleted;

    public void Open() => _opened.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _opened.Task.WaitAsync(cancellationToken);
}
