using Poddle.Contracts;

namespace Poddle.Cli.Commands;

/// <summary>The output of a command whose answer is a message: the <see cref="AcceptedResponse"/> with --json, else the message for people.</summary>
internal static class AcceptedReport
{
    public static void Write(CliContext context, AcceptedResponse result, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PoddleJsonContext.Default.AcceptedResponse);
        }
        else
        {
            context.Output.Success(message);
        }
    }
}
