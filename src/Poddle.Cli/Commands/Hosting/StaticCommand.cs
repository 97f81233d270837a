using System.CommandLine;
using System.Globalization;
using Poddle.Agent.Static;

namespace Poddle.Cli.Commands.Hosting;

/// <summary>
/// `poddle static DIR`: serves a built single-page app (docs/static-and-bench.md). Server events go to standard error,
/// the access log (when on) to standard output or its file. SIGTERM/SIGINT stop it gracefully with exit code 0.
/// </summary>
internal sealed class StaticCommand : CliCommand
{
    private readonly Argument<string> _directory = new("dir") { Description = "The site's directory (a built single-page app: index.html, assets/...)" };
    private readonly Option<int?> _port = new("--port", "-p") { Description = $"Port to listen on (default: $PORT, then {StaticSiteOptions.DefaultPort})" };
    private readonly Option<string> _host = new("--host") { Description = "Address to listen on: an IP address, localhost, or 0.0.0.0 for every interface", DefaultValueFactory = _ => "0.0.0.0" };
    private readonly Option<string[]> _cors = new("--cors-origin") { Description = "An origin allowed to read the site cross-origin (repeatable; * for any). No CORS headers without it", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _noSpa = new("--no-spa") { Description = "Answer 404 for paths that are not files, instead of index.html" };
    private readonly Option<bool> _accessLog = new("--access-log") { Description = "Log every request (combined format) to standard output, or to --access-log-file" };
    private readonly Option<string?> _accessLogFile = new("--access-log-file") { Description = "Write the access log to this file (implies --access-log)" };
    private readonly Option<string> _accessLogFormat = new("--access-log-format") { Description = "common or combined", DefaultValueFactory = _ => "combined" };
    private readonly Option<int> _maxAge = new("--max-age") { Description = "Cache max-age in seconds of files without a hash in their name (hashed: a year, immutable; HTML: no-cache)", DefaultValueFactory = _ => 3600 };

    public StaticCommand(CliEnvironment environment, GlobalOptions globals)
        : base("static", "Serve a built single-page app: SPA fallback, gzip/Brotli, cache and security headers, CORS, /health.json", environment, globals)
    {
        Arguments.Add(_directory);
        Options.Add(_port);
        Options.Add(_host);
        Options.Add(_cors);
        Options.Add(_noSpa);
        Options.Add(_accessLog);
        Options.Add(_accessLogFile);
        Options.Add(_accessLogFormat);
        Options.Add(_maxAge);
        _accessLogFormat.AcceptOnlyFromAmong("common", "combined");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var portValue = parse.GetValue(_port) ?? PortFromEnvironment(environment);
        var dir = parse.GetValue(_directory)!;
        var options = new StaticSiteOptions
        {
            Root = Path.IsPathRooted(dir) ? dir : Path.Combine(environment.WorkingDirectory, dir),
            Host = parse.GetValue(_host)!,
            Port = portValue,
            CorsOrigins = parse.GetValue(_cors) ?? [],
            Spa = !parse.GetValue(_noSpa),
            AccessLog = parse.GetValue(_accessLog) || parse.GetValue(_accessLogFile) is not null,
            AccessLogPath = parse.GetValue(_accessLogFile),
            AccessLogFormat = parse.GetValue(_accessLogFormat) == "common" ? AccessLogFormat.Common : AccessLogFormat.Combined,
            MaxAgeSeconds = parse.GetValue(_maxAge),
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
        var text = environment.Variable(CliEnvironment.PortVariable);
        if (text is null)
        {
            return StaticSiteOptions.DefaultPort;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535
            ? value
            : throw CliException.Usage($"$PORT is '{text}', not a port; pass --port.");
    }
}
