using System.CommandLine;
using System.CommandLine.Parsing;
using Poddle.Agent;
using Poddle.Agent.Health;
using Poddle.Agent.Options;
using Poddle.Agent.Tuning;
using Poddle.Cli.Output;

namespace Poddle.Cli.Commands.Pods;

/// <summary>
/// `poddle agent [options] -- app command`: the pod agent as a container's entrypoint (docs/agent.md). Every option is
/// also a PODDLE_AGENT_* variable and a property of the --config file; a bad one is named, with exit code 2.
/// </summary>
internal sealed class AgentCommand : CliCommand
{
    private readonly Option<string?> _config = new("--config") { Description = $"A JSON file of options, named as the flags without dashes (env {AgentOptionsBuilder.ConfigVariable})" };
    private readonly Argument<string[]> _appCommand = new("command") { Description = "The app's command line, after `--` (run without a shell unless --shell)", Arity = ArgumentArity.ZeroOrMore };
    private readonly Dictionary<string, Option> _options = new(StringComparer.Ordinal);
    private readonly Func<AgentRunContext, ParseResult, IHealthRound> _healthRounds;

    /// <param name="environment">Streams and variables.</param>
    /// <param name="globals">The global options.</param>
    /// <param name="healthRounds">
    /// Builds the health round the monitor runs every period (the one seam a fuller round plugs into); it gets the parse
    /// result too, so options added to the command for the round can be read there.
    /// </param>
    public AgentCommand(CliEnvironment environment, GlobalOptions globals, Func<AgentRunContext, ParseResult, IHealthRound> healthRounds)
        : base(
            "agent",
            "Run an app as a pod's entrypoint: tune the system, validate, start and supervise the app (restarts, signals, PID 1 "
            + "zombie reaping), check its health every period, write the report, alert webhooks, send heartbeats to PODDLE_SERVER "
            + "with PODDLE_AGENT_TOKEN. Exits with the app's exit code (128+signal when a signal ended it); 2 for a bad option, "
            + $"{AgentRunner.ValidationFailed} when a validation check failed, 127 when the app's program does not exist.",
            environment,
            globals)
    {
        _healthRounds = healthRounds;
        Options.Add(_config);
        Arguments.Add(_appCommand);
        foreach (var spec in AgentOptionsBuilder.Specs)
        {
            var description = $"{spec.Description} (env {spec.Variable}" + (spec.Default is null ? ")" : $"; default {spec.Default})");
            Option option = spec.Kind switch
            {
                AgentOptionKind.Flag => new Option<bool>(spec.Flag) { Description = description },
                AgentOptionKind.List => new Option<string[]>(spec.Flag) { Description = description + "; env values ';'-separated" },
                _ => new Option<string?>(spec.Flag) { Description = description },
            };
            _options[spec.Key] = option;
            Options.Add(option);
        }

        Subcommands.Add(new AgentCheckCommand(environment, globals));
    }

    /// <summary>The agent forwards SIGTERM/SIGINT to its app and exits with the app's code.</summary>
    public override TimeSpan? TerminationTimeout => null;

    public override bool TakesCommandLine => true;

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, option) in _options)
        {
            if (parse.GetResult(option) is not { Implicit: false } result)
            {
                continue;
            }

            flags[key] = option switch
            {
                Option<bool> flag => [parse.GetValue(flag) ? "true" : "false"],
                Option<string[]> list => parse.GetValue(list) ?? [],
                Option<string?> text => parse.GetValue(text) is { } value ? [value] : [],
                _ => [],
            };
        }

        IReadOnlyList<string> errors = StrayBeforeCommand(parse) is { } stray ? [stray] : [];
        var agentOptions = errors.Count > 0 ? null : AgentOptionsBuilder.Build(flags, environment.Variables, parse.GetValue(_config), parse.GetValue(_appCommand) ?? [], out errors);
        if (agentOptions is null)
        {
            foreach (var error in errors)
            {
                await environment.Error.WriteLineAsync("poddle agent: " + error);
            }

            await environment.Error.WriteLineAsync("Run 'poddle agent --help' for usage.");
            return ExitCode.Usage;
        }

        using var loggers = LoggerFactory.Create(logging =>
        {
            // The app owns standard output; the agent's log goes to standard error, every level.
            logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddFilter("System.Net.Http", LogLevel.Warning);
            logging.AddFilter("Polly", LogLevel.Warning);
        });
        var runContext = new AgentRunContext(agentOptions, PodEnvironment.Detect(environment.Variables), environment.Variables, loggers, environment.Time);
        var exit = await new AgentRunner(runContext, c => _healthRounds(c, parse)).RunAsync(cancellationToken);
        return (ExitCode)exit;
    }

    /// <summary>
    /// A word in front of the app's command that is not the agent's: the parser hands every word it does not know to the
    /// app-command argument, so `poddle agent --interval 1 -- app` would run "--interval" as the app. Before `--` every
    /// word is the agent's; without `--`, the app's command is whatever follows the agent's options, and a program
    /// name never starts with '-'. Null when there is none.
    /// </summary>
    private string? StrayBeforeCommand(ParseResult parse)
    {
        var appTokens = parse.GetResult(_appCommand)?.Tokens ?? [];
        var dash = parse.Tokens.Select((token, index) => (token, index)).FirstOrDefault(t => t.token.Type == TokenType.DoubleDash);
        var before = dash.token is null
            ? appTokens.Take(1).Where(t => t.Value.StartsWith('-')).ToList()
            : appTokens.Take(appTokens.Count - (parse.Tokens.Count - dash.index - 1)).ToList();
        if (before.Count == 0)
        {
            return null;
        }

        var option = before.FirstOrDefault(t => t.Value.StartsWith('-') && t.Value.Length > 1);
        return option is not null
            ? UsageErrors.Unknown(option.Value, this, "poddle agent")["error: ".Length..]
            : $"unexpected '{before[0].Value}' before `--`: the app's command goes after `--`, e.g. `poddle agent -- python3 app.py`";
    }
}
