using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Static;

namespace Poddle.Cli.Commands;

/// <summary>
/// `poddle static DIR`: serves a built single-page app (docs/static-and-bench.md). Server events go to standard error,
/// the access log (when on) to standard output or its file. SIGTERM/SIGINT stop it gracefully with exit code 0.
/// </summary>
internal static class StaticCommand
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var directory = new Argument<string>("dir") { Description = "The site's directory (a built single-page app: index.html, assets/...)" };
        var port = new Option<int?>("--port", "-p") { Description = $"Port to listen on (default: $PORT, then {StaticSiteOptions.DefaultPort})" };
        var host = new Option<string>("--host") { Description = "Address to listen on: an IP address, localhost, or 0.0.0.0 for every interface", DefaultValueFactory = _ => "0.0.0.0" };
        var cors = new Option<string[]>("--cors-origin") { Description = "An origin allowed to read the site cross-origin (repeatable; * for any). No CORS headers without it", AllowMultipleArgumentsPerToken = false };
        var noSpa = new Option<bool>("--no-spa") { Description = "Answer 404 for paths that are not files, instead of index.html" };
        var accessLog = new Option<bool>("--access-log") { Description = "Log every request (combined format) to standard output, or to --access-log-file" };
        var accessLogFile = new Option<string?>("--access-log-file") { Description = "Write the access log to this file (implies --access-log)" };
        var accessLogFormat = new Option<string>("--access-log-format") { Description = "common or combined", DefaultValueFactory = _ => "combined" };
        accessLogFormat.AcceptOnlyFromAmong("common", "combined");
        var maxAge = new Option<int>("--max-age") { Description = "Cache max-age in seconds of files without a hash in their name (hashed: a year, immutable; HTML: no-cache)", DefaultValueFactory = _ => 3600 };
        var command = new Command("static", "Serve a built single-page app: SPA fallback, gzip/Brotli, cache and security headers, CORS, /health.json")
        {
            directory, port, host, cors, noSpa, accessLog, accessLogFile, accessLogFormat, maxAge,
        };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var portValue = parse.GetValue(port) ?? PortFromEnvironment(environment);
            var dir = parse.GetValue(directory)!;
            var options = new StaticSiteOptions
            {
                Root = Path.IsPathRooted(dir) ? dir : Path.Combine(environment.WorkingDirectory, dir),
                Host = parse.GetValue(host)!,
                Port = portValue,
                CorsOrigins = parse.GetValue(cors) ?? [],
                Spa = !parse.GetValue(noSpa),
                AccessLog = parse.GetValue(accessLog) || parse.GetValue(accessLogFile) is not null,
                AccessLogPath = parse.GetValue(accessLogFile),
                AccessLogFormat = parse.GetValue(accessLogFormat) == "common" ? AccessLogFormat.Common : AccessLogFormat.Combined,
                MaxAgeSeconds = parse.GetValue(maxAge),
            };
            if (options.Validate() is { Count: > 0 } errors)
            {
                throw CliException.Usage(string.Join(Environment.NewLine, errors));
            }

            StaticSiteServer server;
            try
            {
                server = await StaticSiteServer.StartAsync(
                    options,
                    environment.Out,
                    logging => logging.AddSimpleConsole(console =>
                    {
                        console.SingleLine = true;
                        console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
                        console.UseUtcTimestamp = true;
                    }).AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace),
                    environment.Time,
                    cancellationToken);
            }
            catch (DirectoryNotFoundException ex)
            {
                throw new CliException($"poddle static: cannot serve {dir}: {ex.Message}");
            }
            catch (IOException ex) when (IsAddressInUse(ex))
            {
                throw new CliException(
                    $"poddle static: port {options.Port} is already in use on {options.Host} (another program listens there; a Poddle server uses 8080 by default). Pass --port N, or set $PORT.");
            }
            catch (IOException ex)
            {
                // Kestrel's permission errors for ports below 1024, and the like.
                throw new CliException($"poddle static: cannot listen on {options.Host}:{options.Port}: {ex.Message}");
            }
            catch (ArgumentException ex)
            {
                throw CliException.Usage("poddle static: " + ex.Message);
            }

            await using (server)
            {
                await server.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Kestrel's failed bind: an AddressInUseException, or the socket error under it.</summary>
    private static bool IsAddressInUse(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.AddressInUseException || e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static int PortFromEnvironment(CliEnvironment environment)
    {
        var text = environment.Variable("PORT");
        if (text is null)
        {
            return StaticSiteOptions.DefaultPort;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535
            ? value
            : throw CliException.Usage($"$PORT is '{text}', not a port; pass --port.");
    }
}
