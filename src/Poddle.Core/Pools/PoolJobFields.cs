using Poddle.Core.Common;

namespace Poddle.Core.Pools;

/// <summary>The fields serverless job errors name (<see cref="PoolJobSubmission"/>'s paths; the API's names are the same in camelCase).</summary>
public static class PoolJobFields
{
    public static readonly FieldPath Input = FieldPath.Of(nameof(PoolJobSubmission.Input));
    public static readonly FieldPath Webhook = FieldPath.Of(nameof(PoolJobSubmission.Webhook));
    public static readonly FieldPath Policy = FieldPath.Of(nameof(PoolJobSubmission.Policy));
    public static readonly FieldPath ExecutionTimeout = Policy.Member(nameof(PoolJobPolicy.ExecutionTimeout));
    public static readonly FieldPath Ttl = Policy.Member(nameof(PoolJobPolicy.Ttl));

    /// <summary>A worker's result (the body it posts).</summary>
    public static readonly FieldPath Result = FieldPath.Of("Result");
}
