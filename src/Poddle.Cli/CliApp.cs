using System.CommandLine;
using System.CommandLine.Invocation;
using Poddle.Agent.Health;
using Poddle.Agent.Monitoring;
using Poddle.Cli.Commands.Accounts;
using Poddle.Cli.Commands.Admin;
using Poddle.Cli.Commands.Billing;
using Poddle.Cli.Commands.Curriculum;
using Poddle.Cli.Commands.Deployments;
using Poddle.Cli.Commands.Executions;
using Poddle.Cli.Commands.Fleet;
using Poddle.Cli.Commands.Hosting;
using Poddle.Cli.Commands.Pods;
using Poddle.Cli.Commands.Projects;
using Poddle.Cli.Commands.Pools;
using Poddle.Cli.Commands.Tokens;
using Poddle.Cli.Output;

namespace Poddle.Cli;

/// <summary>
/// The `poddle` command tree. <see cref="RunAsync(IReadOnlyList{string}, CliEnvironment, CancellationToken)"/> is the
/// whole program: tests call it with their own writers and config directory, or put one command under
/// <see cref="CreateRoot"/> and <see cref="InvokeAsync"/> it.
/// </summary>
public static class CliApp
{
    private const string Description = "Poddle: a self-hosted pod platform. Run `poddle serve` for a server, `poddle login` to use one.";

    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliEnvironment.FromProcess());

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return InvokeAsync(BuildRootCommand(environment), args, environment, cancellationToken);
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the command they name: a command line that
    /// does not parse is answered with what was meant and exit code 2, before any command runs.
    /// </summary>
    internal static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var parse = root.Parse(args);
        var command = parse.CommandResult.Command as CliCommand;
        if (command is not { TakesCommandLine: true } && UsageErrors.OptionTakenAsArgument(parse) is { } unknown)
        {
            await environment.Error.WriteLineAsync(unknown);
            await environment.Error.WriteLineAsync($"Run '{UsageErrors.CommandPath(parse.CommandResult.Command)} --help' for usage.");
            return (int)ExitCode.Usage;
        }

        if (parse.Action is ParseErrorAction)
        {
            foreach (var line in UsageErrors.Describe(parse))
            {
                await environment.Error.WriteLineAsync(line);
            }

            return (int)ExitCode.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = command is null ? CliCommand.DefaultTerminationTimeout : command.TerminationTimeout,
        };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>A root command with the global options (--server, --json, --no-color) and <paramref name="commands"/> under it.</summary>
    internal static RootCommand CreateRoot(GlobalOptions globals, params Command[] commands)
    {
        var root = new RootCommand(Description);
        globals.AddTo(root);
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>Every command, in the order `poddle --help` lists them.</summary>
    internal static RootCommand BuildRootCommand(CliEnvironment environment)
    {
        var globals = new GlobalOptions();
        Command[] commands =
        [
            new ServeCommand(environment, globals),

            // The health round the agent runs every period: the supervisor's view of the app, then the app's endpoint, CPU,
            // memory, disk and GPUs (docs/agent.md, docs/agent-health.md).
            new AgentCommand(environment, globals, (context, _) => new SupervisedAppHealthRound(
                context.Environment,
                context.Time,
                new HealthRound(
                    context.Options.Health,
                    context.Time,
                    identity: context.Environment,
                    logger: context.LoggerFactory.CreateLogger<HealthRound>()))),
            new RegisterCommand(environment, globals),
            new LoginCommand(environment, globals),
            new LogoutCommand(environment, globals),
            new WhoAmICommand(environment, globals),
            new PasswordCommand(environment, globals),
            new VerifyEmailCommand(environment, globals),
            new TwoFactorCommand(environment, globals),
            new AdminCommand(environment, globals),
            new ProjectsCommand(environment, globals),
            new BillingCommand(environment, globals),
            new TokensCommand(environment, globals),
            new PoolsCommand(environment, globals),
            new PodsCommand(environment, globals),
            new RunCommand(environment, globals),
            new RuntimesCommand(environment, globals),
            new DoctorCommand(environment, globals),
            new DeployCommand(environment, globals),
            new DiagnoseCommand(environment, globals),
            new StaticCommand(environment, globals),
            new BenchCommand(environment, globals),
            new PsCommand(environment, globals),
            new LogsCommand(environment, globals),
            new EventsCommand(environment, globals),
            new ScaleCommand(environment, globals),
            new RestartCommand(environment, globals),
            new RollbackCommand(environment, globals),
            new RemoveCommand(environment, globals),
            new EnvCommand(environment, globals),
            new SecretsCommand(environment, globals),
            new DomainsCommand(environment, globals),
            new ProblemsCommand(environment, globals),
            new SubmitCommand(environment, globals),
            new ProgressCommand(environment, globals),
            new ClassesCommand(environment, globals),
        ];
        return CreateRoot(globals, commands);
    }
}
