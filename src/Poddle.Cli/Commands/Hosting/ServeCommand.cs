using System.CommandLine;
using Poddle.Server.Hosting;

namespace Poddle.Cli.Commands.Hosting;

/// <summary>`poddle serve`: the server in this process. A bad setting is reported by its key, with exit code 1.</summary>
internal sealed class ServeCommand : CliCommand
{
    private readonly Option<string?> _urls = new("--urls") { Description = $"Addresses to listen on, ';'-separated (default: $PODDLE_URLS, then {PoddleServer.DefaultUrls})" };
    private readonly Option<string?> _dataDir = new("--data-dir") { Description = "Directory for the SQLite database, the signing key and other state (default: $PODDLE_DATA_DIR, then ./data)" };
    private readonly Option<string?> _config = new("--config") { Description = "A JSON config file (default: $PODDLE_CONFIG, then <data-dir>/poddle.json when present)" };

    public ServeCommand(CliEnvironment environment, GlobalOptions globals)
        : base("serve", "Run the Poddle server (API, app proxy, job workers, deployment controller). Settings also come from PODDLE_* variables.", environment, globals)
    {
        Options.Add(_urls);
        Options.Add(_dataDir);
        Options.Add(_config);
    }

    /// <summary>The server shuts down through the host's own SIGINT/SIGTERM handling and its configured grace period.</summary>
    public override TimeSpan? TerminationTimeout => null;

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var start = new ServerStartOptions
        {
            Urls = parse.GetValue(_urls),
            DataDir = parse.GetValue(_dataDir),
            ConfigFile = parse.GetValue(_config),
            Console = context.Environment.Out,
        };
        try
        {
            var app = PoddleServer.Build(start);
            await using (app)
            {
                await PoddleServer.InitializeAsync(app, context.Environment.Out, cancellationToken);
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCode.Ok;
        }
        catch (StartupConfigurationException ex)
        {
            throw new CliException("poddle serve: configuration error: " + ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not CliException)
        {
            // The database is unreachable, the port is taken, the data directory is read-only: say so plainly.
            throw new CliException($"poddle serve: could not start: {ex.Message}" + (ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty), ex);
        }
    }
}
