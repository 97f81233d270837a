namespace Poddle.Core.Deployments;

/// <summary>
/// The one short form of a replica's id that people see everywhere: pod names, event messages, the API's
/// <c>shortId</c>/<c>replicaShortId</c> fields, `poddle ps NAME`, `poddle logs` and `poddle events`. It is the last
/// <see cref="Length"/> hex digits of the id: replica ids are UUIDv7s, whose leading digits are their creation time
/// (the same for replicas started together) and whose trailing digits are random, so the tail tells replicas apart.
/// </summary>
public static class ReplicaShortId
{
    /// <summary>Hex digits in the short form.</summary>
    public const int Length = 8;

    /// <summary>"3f9a1c2b" for a replica id ending in …3f9a1c2b.</summary>
    public static string Of(Guid replicaId) => replicaId.ToString("N")[^Length..];
}
