namespace Poddle.Server.Pods;

/// <summary>Stable problem codes of the operators' pod API (/api/pods, wire values).</summary>
public static class PodErrorCodes
{
    /// <summary>409: the driver cannot do this (resume, account: only drivers with a provider account can).</summary>
    public const string OperationUnsupported = "pod-operation-unsupported";

    /// <summary>503: the driver or its provider failed (no capacity, provider error, circuit open); the detail says why.</summary>
    public const string DriverFailed = "pod-driver-failed";
}
