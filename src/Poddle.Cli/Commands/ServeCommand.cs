using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Poddle.Server.Hosting;

namespace Poddle.Cli.Commands;

/// <summary>`poddle serve`: the server in this process. A bad setting is reported by its key, with exit code 1.</summary>
internal static class ServeCommand
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on, ';'-separated (default: $PODDLE_URLS, then {PoddleServer.DefaultUrls})" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory for the SQLite database, the signing key and other state (default: $PODDLE_DATA_DIR, then ./data)" };
        var config = new Option<string?>("--config") { Description = "A JSON config file (default: $PODDLE_CONFIG, then <data-dir>/poddle.json when present)" };
        var command = new Command("serve", "Run the Poddle server (API, dashboard, workers). Settings also come from PODDLE_* variables.") { urls, dataDir, config };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var start = new ServerStartOptions
            {
                Urls = parse.GetValue(urls),
                DataDir = parse.GetValue(dataDir),
                ConfigFile = parse.GetValue(config),
                Console = environment.Out,
            };
            try
            {
                var app = PoddleServer.Build(start);
                await using (app)
                {
                    await PoddleServer.InitializeAsync(app, environment.Out, cancellationToken);
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
        });
        return command;
    }
}
