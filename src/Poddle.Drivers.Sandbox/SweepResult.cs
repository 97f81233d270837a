using Microsoft.Extensions.Logging;

namespace Poddle.Drivers.Sandbox;

/// <summary>What a sweep of leftovers removed, and what it could not (with why).</summary>
internal sealed partial class SweepResult
{
    public List<string> Removed { get; } = [];

    public List<(string What, string Error)> Failures { get; } = [];

    /// <summary>Logs the failures (warning) and what was removed (information, the first ten named); returns how many were removed.</summary>
    public int Log(ILogger logger, string whose)
    {
        foreach (var (what, error) in Failures)
        {
            LogFailure(logger, what, error);
        }

        if (Removed.Count > 0)
        {
            var examples = string.Join(", ", Removed.Take(10));
            LogSwept(logger, Removed.Count, whose, examples);
        }

        return Removed.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox: swept {Count} leftover(s) of {Whose}: {Examples}")]
    private static partial void LogSwept(ILogger logger, int count, string whose, string examples);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox: could not sweep {What}: {Error}")]
    private static partial void LogFailure(ILogger logger, string what, string error);
}
