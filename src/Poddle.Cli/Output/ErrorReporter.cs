using System.Globalization;
using Poddle.Client;
using Spectre.Console;

namespace Poddle.Cli.Output;

/// <summary>Turns what a command throws into one message that says what to do next, and the exit code.</summary>
internal static class ErrorReporter
{
    public static ExitCode Report(Exception exception, CliOutput output, Uri? server, bool debug)
    {
        switch (exception)
        {
            case CliException cli:
                output.ErrorMessage(cli.Message);
                return cli.ExitCode;

            case PoddleConnectionException connection:
                var at = connection.Server?.ToString().TrimEnd('/') ?? server?.ToString().TrimEnd('/') ?? "the configured address";
                output.ErrorMessage(
                    $"No Poddle server at {at} ({connection.Reason}). Start one with `poddle serve`, or pass --server <url> (or set {CliEnvironment.ServerVariable}).");
                return ExitCode.Error;

            case PoddleApiException api:
                output.ErrorMessage(Describe(api, server));
                foreach (var (field, messages) in api.FieldErrors)
                {
                    foreach (var message in messages)
                    {
                        output.Error.WriteLine($"  {field}: {message}");
                    }
                }

                return ExitCode.Error;

            case OperationCanceledException:
                output.ErrorMessage("Cancelled.");
                return ExitCode.Cancelled;

            default:
                // A bug or an environment failure nobody anticipated: say what it was, without a stack trace unless asked.
                output.ErrorMessage($"{exception.Message} ({exception.GetType().Name})");
                if (debug)
                {
                    output.Error.WriteLine(exception.ToString());
                }
                else
                {
                    output.Error.WriteLine($"Set {CliEnvironment.DebugVariable}=1 for details.");
                }

                return ExitCode.Error;
        }
    }

    internal static string Describe(PoddleApiException api, Uri? server)
    {
        var detail = api.Detail ?? api.Title ?? $"HTTP {api.Status}";
        return api.Status switch
        {
            401 => $"Not signed in to {server?.ToString().TrimEnd('/') ?? "the server"}, or the stored token was revoked or has expired. Run `poddle login`.",
            403 => $"Not allowed: {detail}",
            400 or 422 when api.FieldErrors.Count > 0 => $"{detail.TrimEnd('.')}. Fix these and try again:",
            429 when api.RetryAfter is { } wait => $"{detail} Try again in {Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture)} s.",
            >= 500 => $"The server failed ({api.Status} {api.Code}): {detail}" + (api.RequestId is null ? string.Empty : $" Quote request id {api.RequestId} when reporting it."),
            _ => detail,
        };
    }
}
