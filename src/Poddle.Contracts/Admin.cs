namespace Poddle.Contracts;

/// <summary>One job kind's state in the durable queue.</summary>
public sealed record QueueStatsResponse(string Kind, int Depth, int Scheduled, int Running, int Dead, double? OldestWaitingSeconds);

public sealed record QueuesResponse(IReadOnlyList<QueueStatsResponse> Queues);
