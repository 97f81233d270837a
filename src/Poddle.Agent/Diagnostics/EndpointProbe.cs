using System.Globalization;
using System.Net.Sockets;
using Poddle.Agent.Health;

namespace Poddle.Agent.Diagnostics;

/// <summary>Whether an endpoint answered.</summary>
/// <param name="Endpoint">As configured (passwords in it masked).</param>
/// <param name="Kind">"http" (a GET; any answer below 500 is reachable) or "tcp" (a connect).</param>
/// <param name="Reachable">It answered (HTTP below 500) or accepted the connection.</param>
/// <param name="ElapsedMs">Time to the answer or the failure.</param>
/// <param name="StatusCode">The HTTP status, for "http".</param>
/// <param name="Message">What happened ("endpoint ... unreachable: connection refused").</param>
public sealed record EndpointResult(string Endpoint, string Kind, bool Reachable, double? ElapsedMs, int? StatusCode, string Message);

/// <summary>
/// Checks connectivity the way a person would: http(s)://... is fetched; host:port or tcp://host:port is connected to.
/// Every failure is a result with the socket's reason ("connection refused", "host not found", "timed out").
/// </summary>
public sealed class EndpointProbe
{
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public EndpointProbe(HttpClient http, TimeSpan timeout, TimeProvider time)
    {
        _http = http;
        _timeout = timeout;
        _time = time;
    }

    public async Task<EndpointResult> ProbeAsync(string endpoint, CancellationToken cancellationToken)
    {
        var shown = SecretMasker.MaskInText(endpoint);
        var started = _time.GetTimestamp();
        double Elapsed() => Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1);
        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            try
            {
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var code = (int)response.StatusCode;
                return code < 500
                    ? new EndpointResult(shown, "http", true, Elapsed(), code, $"HTTP {code} in {Elapsed():0} ms")
                    : new EndpointResult(shown, "http", false, Elapsed(), code, $"endpoint {shown} answered HTTP {code}");
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Unreachable(shown, "http", Elapsed(), $"no answer within {_timeout.TotalSeconds:0.###} s");
            }
            catch (HttpRequestException ex)
            {
                return Unreachable(shown, "http", Elapsed(), AppProbe.Describe(ex));
            }
        }

        if (!TryHostPort(endpoint, out var host, out var port))
        {
            return new EndpointResult(shown, "tcp", false, null, null, $"endpoint {shown} is neither an http(s) URL nor host:port");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, linked.Token);
            return new EndpointResult(shown, "tcp", true, Elapsed(), null, $"connected in {Elapsed():0} ms");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Unreachable(shown, "tcp", Elapsed(), $"no connection within {_timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            return Unreachable(shown, "tcp", Elapsed(), AppProbe.Describe(ex));
        }
    }

    private static EndpointResult Unreachable(string endpoint, string kind, double elapsed, string why) =>
        new(endpoint, kind, false, elapsed, null, $"endpoint {endpoint} unreachable: {why}");

    /// <summary>"host:port", "tcp://host:port" or "[::1]:port".</summary>
    public static bool TryHostPort(string endpoint, out string host, out int port)
    {
        var text = endpoint.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) ? endpoint[6..] : endpoint;
        text = text.TrimEnd('/');
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon].Trim('[', ']') : string.Empty;
        port = 0;
        return colon > 0 && host.Length > 0
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
    }
}
