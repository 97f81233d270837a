namespace Poddle.Contracts;

/// <summary>
/// An execution's statuses on the wire: the server's execution status names in lower case. A Server test holds them
/// equal to the server's statuses.
/// </summary>
public static class ExecutionStatuses
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
