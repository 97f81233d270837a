using System.CommandLine;

namespace Poddle.Cli;

/// <summary>Options every command accepts (they are recursive: valid after any subcommand).</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://localhost:8080";

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The Poddle server URL (default: ${CliEnvironment.ServerVariable}, then the one you logged in to, then {DefaultServer})",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write the result as JSON to standard output (and nothing else there)",
        Recursive = true,
    };

    public Option<bool> NoColor { get; } = new("--no-color")
    {
        Description = $"Do not colour the output ({CliEnvironment.NoColorVariable} in the environment does the same)",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Server);
        root.Options.Add(Json);
        root.Options.Add(NoColor);
    }
}
