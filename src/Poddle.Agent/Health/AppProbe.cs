using System.Net.Sockets;

namespace Poddle.Agent.Health;

/// <summary>One attempt (or two, with the retry) at the app's health endpoint.</summary>
/// <param name="Healthy">A 200 with the expected body, at the first or the second attempt.</param>
/// <param name="ElapsedMs">The last attempt's time to a full answer (or to its failure).</param>
/// <param name="Attempts">1, or 2 when the first failed and was retried.</param>
/// <param name="Message">What happened, for the report ("HTTP 500 from ...").</param>
public sealed record AppProbeResult(bool Healthy, double ElapsedMs, int Attempts, string Message);

/// <summary>
/// GETs the app's health endpoint: healthy is a 200 whose body contains the expected text (when one is set)
/// within the timeout. A failed attempt is retried once after the retry delay; only two failures fail the probe.
/// </summary>
public sealed class AppProbe
{
    // Bodies beyond this are not read: a health endpoint answers in a few bytes, and a huge one must not stall the agent.
    private const int MaxBodyChars = 64 * 1024;

    private readonly HttpClient _http;
    private readonly HealthCheckOptions _options;
    private readonly TimeProvider _time;

    public AppProbe(HttpClient http, HealthCheckOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
    }

    public async Task<AppProbeResult> ProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        var first = await AttemptAsync(url, cancellationToken);
        if (first.Healthy)
        {
            return first;
        }

        await Task.Delay(_options.AppRetryDelay, _time, cancellationToken);
        var second = await AttemptAsync(url, cancellationToken);
        return second with { Attempts = 2, Message = second.Healthy ? second.Message + " (after a failed attempt: " + first.Message + ")" : second.Message };
    }

    private async Task<AppProbeResult> AttemptAsync(Uri url, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        double Elapsed() => Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1);
        using var deadline = new CancellationTokenSource(_options.AppTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadBodyAsync(response, timeout.Token);
            if ((int)response.StatusCode != 200)
            {
                return new AppProbeResult(false, Elapsed(), 1, $"HTTP {(int)response.StatusCode} from {url}");
            }

            if (_options.AppBodyContains is { } expected && !body.Contains(expected, StringComparison.Ordinal))
            {
                return new AppProbeResult(false, Elapsed(), 1, $"HTTP 200 from {url} but the body does not contain \"{expected}\"");
            }

            return new AppProbeResult(true, Elapsed(), 1, $"HTTP 200 from {url}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new AppProbeResult(false, Elapsed(), 1, $"no answer from {url} within {_options.AppTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new AppProbeResult(false, Elapsed(), 1, $"{url} unreachable: {Describe(ex)}");
        }
        catch (IOException ex)
        {
            // The app closed the connection in the middle of its answer (e.g. it crashed while writing it).
            return new AppProbeResult(false, Elapsed(), 1, $"{url} broke off its answer: {ex.Message}");
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var buffer = new char[MaxBodyChars];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return new string(buffer, 0, read);
    }

    /// <summary>"connection refused", "name does not resolve" ... from the socket error under an HTTP failure.</summary>
    public static string Describe(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                    SocketError.ConnectionReset => "connection reset",
                    _ => socket.Message,
                };
            }
        }

        return ex.Message;
    }
}
