using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// The converge job (<see cref="DeploymentJobs.Converge"/>): moves one deployment one step towards its CURRENT desired
/// state, whatever generation enqueued it, and enqueues its own next step (a scheduled job, <see cref="ControllerTimings.ConvergeStep"/>
/// later) while a rollout waits for readiness, so no job outlives its lease waiting (docs/decisions/0006). Each step
/// (<see cref="DeploymentConvergeStep"/>) runs under the deployment's lock and re-reads the rows, so steps are
/// idempotent and safe next to the health monitor. Steps run only on the controller's leader, after the startup pass.
/// </summary>
public sealed class DeploymentConvergeHandler(
    PoddleDbContext db,
    JobQueue queue,
    DeploymentConvergeStep step,
    DeploymentChangeSignal changes,
    DeploymentLocks locks,
    DeploymentControllerStartup startup,
    ControllerLeadership leadership,
    TimeProvider clock) : IJobHandler
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public string Kind => DeploymentJobs.Converge;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<ConvergePayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("The converge job has no payload.");
        await startup.WaitAsync(cancellationToken);
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            // Another server runs the controller: hand the step to it through the queue.
            await EnqueueNextAsync(payload.DeploymentId, TimeSpan.FromSeconds(5), "leader elsewhere", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        using var held = await locks.AcquireAsync(payload.DeploymentId, cancellationToken);
        var result = await step.RunAsync(payload.DeploymentId, context, cancellationToken);
        if (!result.Settled)
        {
            await EnqueueNextAsync(payload.DeploymentId, ControllerTimings.ConvergeStep, payload.Cause, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (result.RoutingChanged)
        {
            changes.Notify(payload.DeploymentId);
        }
    }

    private async Task EnqueueNextAsync(Guid deploymentId, TimeSpan delay, string cause, CancellationToken cancellationToken)
    {
        var runAt = clock.GetUtcNow() + delay;
        var generation = await db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.Generation).FirstOrDefaultAsync(cancellationToken);

        // One follow-up per deployment and second: two steps that both re-enqueue collapse into one job.
        await queue.EnqueueAsync(
            DeploymentJobs.Converge,
            new ConvergePayload(deploymentId, generation, cause),
            new EnqueueOptions(RunAt: runAt, IdempotencyKey: $"deployment:{deploymentId:N}:step:{runAt.ToUnixTimeSeconds()}"),
            cancellationToken);
    }
}
