using Poddle.Client;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems ls|show|export|import`.</summary>
internal sealed class ProblemsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "problems",
    "Practice problems: list them, read one, and (teachers) import and export problem files",
    new ListProblemsCommand(environment, globals),
    new ShowProblemCommand(environment, globals),
    new ExportProblemCommand(environment, globals),
    new ImportProblemCommand(environment, globals))
{
    /// <summary>An unknown problem (404) becomes a message that says where the known ones are.</summary>
    internal static async Task<T> ForProblemAsync<T>(string id, Func<Task<T>> call, string? unknownHint = null)
    {
        try
        {
            return await call();
        }
        catch (PoddleApiException ex) when (ex.Status == 404)
        {
            throw new CliException(unknownHint ?? $"There is no problem '{id}'. Run `poddle problems ls` to see the problems and their ids.");
        }
    }
}
