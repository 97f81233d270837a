using System.Diagnostics.Metrics;

namespace Poddle.Core.Deployments;

/// <summary>
/// Deployment controller metrics on the .NET Meter "Poddle.Deployments" (exported at /metrics as poddle_deployments_*):
/// the reconciler's completed passes, so an operator (and an end-to-end test) can see that it runs and how often.
/// An observable counter, read at each scrape.
/// </summary>
public sealed class DeploymentMetrics : IDisposable
{
    public const string MeterName = "Poddle.Deployments";

    private readonly Meter _meter;
    private long _reconcilePasses;

    public DeploymentMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("reconcile_passes", () => Interlocked.Read(ref _reconcilePasses), description: "Reconciler passes this server completed as controller leader");
    }

    /// <summary>Counts one completed reconciler pass.</summary>
    public void ReconcilePassCompleted() => Interlocked.Increment(ref _reconcilePasses);

    public void Dispose() => _meter.Dispose();
}
