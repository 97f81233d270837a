using Poddle.Core.Common;

namespace Poddle.Core.Executions;

/// <summary>
/// The fields execution errors name: <see cref="ExecutionSubmission"/>'s properties. The server maps them to each API's
/// names (Poddle.Server.Errors.FieldNames: the native API calls <see cref="Files"/> <c>code</c>, Piston calls the run's limits <c>run</c>).
/// </summary>
public static class ExecutionFields
{
    public static readonly FieldPath Language = FieldPath.Of(nameof(ExecutionSubmission.Language));
    public static readonly FieldPath Files = FieldPath.Of(nameof(ExecutionSubmission.Files));
    public static readonly FieldPath Stdin = FieldPath.Of(nameof(ExecutionSubmission.Stdin));
    public static readonly FieldPath Args = FieldPath.Of(nameof(ExecutionSubmission.Args));
    public static readonly FieldPath Limits = FieldPath.Of(nameof(ExecutionSubmission.Limits));
    public static readonly FieldPath CompileLimits = FieldPath.Of(nameof(ExecutionSubmission.CompileLimits));
}
