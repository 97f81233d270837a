using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Health;
using Poddle.Agent.Monitoring;
using Poddle.Cli.Commands;
using Poddle.Cli.Output;

namespace Poddle.Cli;

/// <summary>
/// The `poddle` command tree. <see cref="RunAsync(IReadOnlyList{string}, CliEnvironment, CancellationToken)"/> is the
/// whole program: tests call it with their own writers and config directory.
/// </summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliEnvironment.FromProcess());

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var root = BuildRootCommand(environment, out var serve, out var agent);
        var parse = root.Parse(args);
        // `poddle agent`'s argument is the app's command line, dashes and all; it checks what comes before it itself.
        if (UsageErrors.OptionTakenAsArgument(parse, new HashSet<Command> { agent }) is { } unknown)
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

            // `poddle agent` handles SIGTERM/SIGINT itself (forwards them to its app, exits with the app's code).
            // `poddle serve` shuts down through the host's own SIGINT/SIGTERM handling and its configured grace period;
            // client commands are cancelled and given two seconds.
            ProcessTerminationTimeout = parse.CommandResult.Command == serve || parse.CommandResult.Command == agent ? null : TimeSpan.FromSeconds(2),
        };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    internal static RootCommand BuildRootCommand(CliEnvironment environment, out Command serve, out Command agent)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Poddle: a self-hosted pod platform. Run `poddle serve` for a server, `poddle login` to use one.");
        globals.AddTo(root);
        serve = ServeCommand.Create(environment, globals);
        root.Subcommands.Add(serve);

        // The health round the agent runs every period: the supervisor's view of the app, then the app's endpoint, CPU,
        // memory, disk and GPUs (docs/agent.md, docs/agent-health.md).
        agent = AgentCommand.Create(environment, globals, (context, _) => new SupervisedAppHealthRound(
            context.Environment,
            context.Time,
            new HealthRound(
                context.Options.Health,
                context.Time,
                identity: context.Environment,
                logger: context.LoggerFactory.CreateLogger<HealthRound>())));
        agent.Subcommands.Add(AgentCheckCommand.Create(environment, globals));
        root.Subcommands.Add(agent);
        root.Subcommands.Add(AuthCommands.Register(environment, globals));
        root.Subcommands.Add(AuthCommands.Login(environment, globals));
        root.Subcommands.Add(AuthCommands.Logout(environment, globals));
        root.Subcommands.Add(AuthCommands.WhoAmI(environment, globals));
        root.Subcommands.Add(PasswordCommand.Create(environment, globals));
        root.Subcommands.Add(VerifyEmailCommand.Create(environment, globals));
        root.Subcommands.Add(TwoFactorCommand.Create(environment, globals));
        root.Subcommands.Add(AdminUsersCommand.Create(environment, globals));
        root.Subcommands.Add(ProjectCommands.Create(environment, globals));
        root.Subcommands.Add(TokenCommands.Create(environment, globals));
        root.Subcommands.Add(ExecutionCommands.Run(environment, globals));
        root.Subcommands.Add(ExecutionCommands.Runtimes(environment, globals));
        root.Subcommands.Add(DoctorCommand.Create(environment, globals));
        root.Subcommands.Add(DeployCommand.Create(environment, globals));
        root.Subcommands.Add(DiagnoseCommand.Create(environment, globals));

        root.Subcommands.Add(StaticCommand.Create(environment, globals));
        root.Subcommands.Add(BenchCommand.Create(environment, globals));
        foreach (var command in DeploymentCommands.Create(environment, globals))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in CurriculumCommands.Create(environment, globals))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
