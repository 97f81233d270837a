using System.Text;
using Poddle.Core.Executions;

namespace Poddle.Web.Components.Learn;

/// <summary>A finished run as the problem page shows it: the run's (or the failed compile's) output, verdict, time and memory.</summary>
public sealed record RunView(string Verdict, string Stdout, string Stderr, string? CompileOutput, long? WallMs, long? MemoryKb, string? Message)
{
    public static RunView From(Execution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var stored = StoredExecutionResult.FromJson(execution.ResultJson);
        var compile = stored?.Compile;
        var failedCompile = compile is not null && stored?.Run is null;
        var main = stored?.Run ?? compile;
        return new RunView(
            execution.Verdict ?? "internal_error",
            failedCompile || main is null ? string.Empty : Encoding.UTF8.GetString(main.Stdout),
            failedCompile || main is null ? string.Empty : Encoding.UTF8.GetString(main.Stderr),
            failedCompile ? Encoding.UTF8.GetString([.. compile!.Stdout, .. compile.Stderr]) : null,
            main?.WallMs,
            main?.MemoryKb,
            stored?.Message);
    }
}
