namespace Poddle.Contracts;

/// <summary>
/// A replica's phases on the wire (<see cref="ReplicaResponse.Phase"/>): the server's replica phase names in lower case.
/// A Server test holds them equal to the server's phases.
/// </summary>
public static class ReplicaPhases
{
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Crashed = "crashed";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
}
