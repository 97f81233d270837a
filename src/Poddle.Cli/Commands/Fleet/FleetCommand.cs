using System.CommandLine;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>A `poddle pods` command: the driver it asks (--driver, RunPod unless named).</summary>
internal abstract class FleetCommand : CliCommand
{
    /// <summary>The driver when none is named: the one with an account of other pods, the reason for `poddle pods`.</summary>
    public const string DefaultDriver = "runpod";

    private readonly Option<string> _driver = new("--driver", "-d") { Description = "The driver: runpod, docker or sandbox", DefaultValueFactory = _ => DefaultDriver };

    protected FleetCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description, environment, globals)
    {
        Options.Add(_driver);
    }

    /// <summary>The driver named by --driver.</summary>
    protected string Driver(ParseResult parse) => parse.GetRequiredValue(_driver);
}
