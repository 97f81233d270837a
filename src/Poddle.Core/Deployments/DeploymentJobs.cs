using Poddle.Core.Jobs;

namespace Poddle.Core.Deployments;

/// <summary>
/// The job that provisions a deployment. One kind for create, update, scale, restart, rollback and delete: the
/// handler converges the deployment towards its current desired state, whatever change enqueued it, so it is
/// idempotent per deployment and a late or repeated job does no harm. The idempotency key carries the generation,
/// so each change enqueues exactly one job.
/// </summary>
public static class DeploymentJobs
{
    public const string Converge = JobKinds.DeploymentConverge;

    /// <summary>Enqueues (in the caller's unit of work) the job that acts on <paramref name="deployment"/>'s current generation.</summary>
    public static Task<Enqueued> EnqueueConvergeAsync(this JobQueue queue, Deployment deployment, string cause, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(
            Converge,
            new ConvergePayload(deployment.Id, deployment.Generation, cause),
            new EnqueueOptions(IdempotencyKey: $"deployment:{deployment.Id:N}:{deployment.Generation}"),
            cancellationToken);
}

/// <summary>The converge job's payload.</summary>
public sealed record ConvergePayload(Guid DeploymentId, long Generation, string Cause);
