using System.Globalization;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>The outcome of one probe: healthy or not, and what was seen ("HTTP 503 from /healthz", "connection refused").</summary>
public sealed record ProbeResult(bool Healthy, string Detail);

/// <summary>
/// Probes a replica the way its <see cref="HealthCheckSpec"/> says (Kubernetes semantics): http GET expects 2xx or 3xx
/// within the timeout; tcp connects; command probes need a driver that can exec, which no driver offers yet, so they
/// probe TCP and say so. Without a health check a replica with a port is probed by TCP on it, and one without a port is
/// healthy while it runs, as is one whose check is of type "none". Real sockets, real HTTP; a probe never throws.
/// </summary>
public sealed class ReplicaProber : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Probes <paramref name="endpoint"/> (the replica's reachable address; null while it has none).</summary>
    public async Task<ProbeResult> ProbeAsync(HealthCheckSpec? check, int? port, PodEndpoint? endpoint, DriverCapabilities capabilities, CancellationToken cancellationToken)
    {
        if (check is null && port is null)
        {
            return new ProbeResult(true, "running (no port, no health check)");
        }

        if (string.Equals(check?.Type, HealthCheckSpec.NoProbe, StringComparison.OrdinalIgnoreCase))
        {
            return new ProbeResult(true, "running (health check 'none': no probe)");
        }

        if (endpoint is null)
        {
            return new ProbeResult(false, "no endpoint reported by the driver");
        }

        var timeout = TimeSpan.FromSeconds(Math.Max(1, check?.TimeoutSeconds ?? 1));
        var target = check?.Port is { } probePort && probePort != port ? endpoint with { Port = probePort } : endpoint;
        var type = check?.Type?.ToLowerInvariant() ?? "tcp";
        var note = string.Empty;
        if (type == "command")
        {
            // No driver exposes exec yet (DriverCapabilities.Exec); a command probe falls back to TCP and says so.
            type = "tcp";
            note = capabilities.Exec ? " (command probe run as tcp)" : " (driver cannot exec: command probe run as tcp)";
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (type == "http")
            {
                var path = string.IsNullOrEmpty(check?.Path) ? "/" : check!.Path!.StartsWith('/') ? check.Path : "/" + check.Path;
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{target}{path}"));
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400
                    ? new ProbeResult(true, $"HTTP {code} from {path}")
                    : new ProbeResult(false, $"HTTP {code} from {path}");
            }

            using var client = new TcpClient(target.Host.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            await client.ConnectAsync(target.Host, target.Port, deadline.Token);
            return new ProbeResult(true, $"tcp connect to port {target.Port}{note}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(false, $"timeout after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s{note}");
        }
        catch (HttpRequestException ex)
        {
            return new ProbeResult(false, Describe(ex.InnerException as SocketException, ex.Message) + note);
        }
        catch (SocketException ex)
        {
            return new ProbeResult(false, Describe(ex, ex.Message) + note);
        }
    }

    public void Dispose() => _http.Dispose();

    private static string Describe(SocketException? socket, string fallback) => socket?.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        null => fallback,
        var code => $"socket error {code}",
    };
}
