using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Poddle.Agent.Worker;

/// <summary>
/// The result body `poddle agent --worker` posts for a job (the JSON text runpod-python posts): <c>{"output": …}</c>
/// with standard output as JSON when it parses, else as a string (trailing newlines dropped; empty is null), or
/// <c>{"error": "…"}</c> with the tail of standard error when the command failed, timed out or could not start.
/// </summary>
public static class WorkerResultBody
{
    /// <summary>The body for <paramref name="outcome"/>; null for a job that was stopped (the server has finished it already).</summary>
    public static string? For(JobOutcome outcome, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Stopped)
        {
            return null;
        }

        if (outcome.StartError is { } startError)
        {
            return Error(startError);
        }

        if (outcome.TimedOut)
        {
            return Error(string.Create(CultureInfo.InvariantCulture, $"timed out after {timeout?.TotalSeconds:0.###} s (the job's executionTimeout)"));
        }

        if (outcome.ExitCode != 0)
        {
            var tail = outcome.StderrTail.TrimEnd();
            return Error(string.Create(CultureInfo.InvariantCulture, $"exit code {outcome.ExitCode}") + (tail.Length > 0 ? ": " + tail : string.Empty));
        }

        if (outcome.OutputTooLarge)
        {
            return Error("its output is larger than the limit of a job's result");
        }

        return new JsonObject { ["output"] = Output(outcome.Stdout) }.ToJsonString();
    }

    private static JsonNode? Output(string stdout)
    {
        var text = stdout.TrimEnd('\r', '\n');
        if (text.Trim().Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static string Error(string message) => new JsonObject { ["error"] = message }.ToJsonString();
}
