using System.CommandLine;
using Poddle.Cli.Commands.Deployments;
using Poddle.Cli.Commands.Pods;

namespace Poddle.Cli.Tests;

/// <summary>
/// One command on its own: put under <see cref="CliApp.CreateRoot"/> and invoked with <see cref="CliApp.InvokeAsync"/>,
/// it parses, reports usage errors and fails with the same exit codes as in the whole program.
/// </summary>
public sealed class CliCommandTests : IDisposable
{
    private readonly string _configDirectory = Path.Combine(Path.GetTempPath(), "poddle-cli-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        if (Directory.Exists(_configDirectory))
        {
            Directory.Delete(_configDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task InvokeAsync_OneCommandWithABadValue_RunsItsExecuteAsyncAndExitsWithUsage()
    {
        var environment = Environment();
        var globals = new GlobalOptions();
        var root = CliApp.CreateRoot(globals, new DiagnoseCommand(environment, globals));

        var exit = await CliApp.InvokeAsync(root, ["diagnose", "--log-lines", "-1"], environment);

        Assert.Equal((int)ExitCode.Usage, exit);
        Assert.Contains("--log-lines must be between 0 and 10000.", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _stdout.ToString());
    }

    [Fact]
    public async Task InvokeAsync_OneCommandWithAMistypedOption_IsAUsageErrorBeforeItRuns()
    {
        var environment = Environment();
        var globals = new GlobalOptions();
        var root = CliApp.CreateRoot(globals, new ScaleCommand(environment, globals));

        var exit = await CliApp.InvokeAsync(root, ["scale", "web", "2", "--projcet", "shop"], environment);

        Assert.Equal((int)ExitCode.Usage, exit);
        Assert.Contains("--projcet", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("poddle scale --help", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_OneCommandWithoutSignIn_SaysToLogIn()
    {
        var environment = Environment();
        var globals = new GlobalOptions();
        var root = CliApp.CreateRoot(globals, new ScaleCommand(environment, globals));

        var exit = await CliApp.InvokeAsync(root, ["scale", "web", "2"], environment);

        Assert.Equal((int)ExitCode.Error, exit);
        Assert.Contains("Not logged in", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("poddle login", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BuildRootCommand_EveryCommand_IsASealedCliCommandOrAGroup()
    {
        var root = CliApp.BuildRootCommand(Environment());

        var commands = Descendants(root).ToList();

        Assert.NotEmpty(commands);
        Assert.All(commands, command =>
        {
            Assert.True(command is CliCommand or CliCommandGroup, $"`{command.Name}` is a {command.GetType().Name}, not a CliCommand or CliCommandGroup");
            Assert.True(command.GetType().IsSealed, $"`{command.Name}` ({command.GetType().Name}) is not sealed");
            Assert.Equal(command is CliCommand, command.Action is not null);
        });
    }

    private static IEnumerable<Command> Descendants(Command command) =>
        command.Subcommands.SelectMany(sub => Descendants(sub).Prepend(sub));

    private CliEnvironment Environment() => new()
    {
        Out = _stdout,
        Error = _stderr,
        ConfigDirectory = _configDirectory,
        Variables = new Dictionary<string, string>(StringComparer.Ordinal),
        MachineName = CliRunner.MachineName,
    };
}
