namespace Poddle.Core.Deployments;

/// <summary>The kinds of a deployment's alert, the last part of its key <c>deployment:{id}:{kind}</c> (wire values).</summary>
public static class DeploymentAlertKinds
{
    /// <summary>A replica's pod was killed for using more memory than its limit.</summary>
    public const string Oom = "oom";

    /// <summary>Replicas exit (or cannot start) over and over.</summary>
    public const string CrashLoop = "crash-loop";

    /// <summary>Replicas run but do not get ready (failing probes), or fewer are ready than asked.</summary>
    public const string Unhealthy = "unhealthy";

    /// <summary>The controller gave up (a permanent start failure, a progress deadline, a rollback).</summary>
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Oom, CrashLoop, Unhealthy, Failed];

    /// <summary>The kind a notification's reason names: out of memory first, then a failed deployment, an exit, and otherwise unhealthy.</summary>
    public static string Of(DeploymentStatus status, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.Contains("OOMKilled", StringComparison.OrdinalIgnoreCase) || reason.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            return Oom;
        }

        if (status == DeploymentStatus.Failed || reason.Contains("rolled back", StringComparison.Ordinal))
        {
            return Failed;
        }

        return reason.Contains("exit code", StringComparison.Ordinal) || reason.Contains("signal", StringComparison.Ordinal) || reason.Contains("crash", StringComparison.Ordinal)
            ? CrashLoop
            : Unhealthy;
    }
}
