using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Cli.Output;
using Poddle.Client;

namespace Poddle.Cli;

/// <summary>
/// One invocation's resolved settings: output, config store, server URL, the token for that server, and
/// clients for it. The stored token is sent only to the server it was issued by.
/// </summary>
internal sealed class CliContext : IDisposable
{
    private readonly Lazy<HttpClient> _http;
    private CliConfig? _config;
    private Uri? _server;

    public CliContext(CliEnvironment environment, GlobalOptions globals, ParseResult parse)
    {
        Environment = environment;
        Output = new CliOutput(environment, parse.GetValue(globals.Json), parse.GetValue(globals.NoColor));
        Store = new CliConfigStore(environment.ConfigDirectory);
        ServerOption = parse.GetValue(globals.Server);
        _http = new Lazy<HttpClient>(() => PoddleClient.CreateHttpClient(Server, environment.HttpHandler, TimeSpan.FromSeconds(60)));
    }

    public CliEnvironment Environment { get; }

    public CliOutput Output { get; }

    public CliConfigStore Store { get; }

    public bool Debug => Environment.Variable(CliEnvironment.DebugVariable) is not null;

    /// <summary>--server as given, if it was.</summary>
    public string? ServerOption { get; }

    /// <summary>The stored config, read once.</summary>
    public CliConfig Config => _config ??= Store.Load();

    /// <summary>--server, then $PODDLE_SERVER, then the stored server, then http://localhost:8080.</summary>
    public Uri Server => _server ??= ParseServer(
        ServerOption ?? Environment.Variable(CliEnvironment.ServerVariable) ?? Config.Server ?? GlobalOptions.DefaultServer);

    /// <summary>The server, if resolving it would not fail (for error messages).</summary>
    public Uri? ServerOrNull
    {
        get
        {
            try
            {
                return Server;
            }
            catch (CliException)
            {
                return null;
            }
        }
    }

    /// <summary>$PODDLE_TOKEN, else the stored token when it was issued by <see cref="Server"/>.</summary>
    public string? Token =>
        Environment.Variable(CliEnvironment.TokenVariable)
        ?? (Config.Token is not null && SameServer(Config.Server, Server) ? Config.Token : null);

    public PoddleClient Anonymous() => new(_http.Value);

    /// <summary>A client carrying the token; fails with "run poddle login" when there is none for this server.</summary>
    public PoddleClient Authenticated() =>
        Token is { } token
            ? new PoddleClient(_http.Value, token)
            : throw new CliException($"Not logged in to {Display(Server)}. Run `poddle login{(ServerOption is null ? string.Empty : " --server " + Display(Server))}`.");

    public static string Display(Uri server) => server.ToString().TrimEnd('/');

    public static bool SameServer(string? stored, Uri server) =>
        stored is not null && Uri.TryCreate(stored, UriKind.Absolute, out var storedUri)
        && Uri.Compare(storedUri, server, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    public static Uri ParseServer(string value)
    {
        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"'{value}' is not a server URL; pass --server http://host:port (or https://...).");
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }
}
