using Poddle.Contracts;

namespace Poddle.Cli.Commands;

/// <summary>The output of a command whose answer is a message: the <see cref="AcceptedResponse"/> with --json, else the message for people.</summary>
internal static class AcceptedReport
{
    public static void Write(CliContext context, AcceptedResponse result, string message)
    {
        context.Output.Result(result, PoddleJsonContext.Default.AcceptedResponse, message);
    }
}
