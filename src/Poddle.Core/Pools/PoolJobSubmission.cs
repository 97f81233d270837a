namespace Poddle.Core.Pools;

/// <summary>
/// A serverless job as asked for (RunPod's request body): <see cref="Input"/> is the request's <c>input</c> as JSON text
/// (null when missing), <see cref="Policy"/> optional limits in milliseconds.
/// </summary>
public sealed record PoolJobSubmission(string? Input, string? Webhook = null, PoolJobPolicy? Policy = null);

/// <summary>RunPod's execution policy: <see cref="ExecutionTimeout"/> and <see cref="Ttl"/> in milliseconds.</summary>
public sealed record PoolJobPolicy(long? ExecutionTimeout = null, long? Ttl = null);
