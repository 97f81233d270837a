using System.Globalization;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>The outcome of one probe: healthy or not, and what was seen ("HTTP 503 from /healthz", "connection refused").</summary>
public sealed record ProbeResult(bool Healthy, string Detail);

/// <summary>
/// Probes a replica the way its <see cref="HealthCheckSpec"/> says (Kubernetes semantics): http GET expects 2xx or 3xx
/// within the timeout; tcp connects; command runs the command in the pod (<see cref="IPodExec"/>) and expects exit code
/// 0 within the timeout. The API refuses a command check on a driver that cannot exec; a revision stored before that
/// rule is probed by TCP and says so. Without a health check a replica with a port is probed by TCP on it, and one
/// without a port is healthy while it runs, as is one whose check is of type "none". Real sockets, real HTTP; a probe
/// never throws.
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

    /// <summary>
    /// Probes the replica: by <paramref name="endpoint"/> (its reachable address; null while it has none), or inside
    /// its pod (<paramref name="pod"/>) through <paramref name="driver"/> for a command check.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(HealthCheckSpec? check, int? port, PodEndpoint? endpoint, IPodDriver driver, PodHandle? pod, CancellationToken cancellationToken)
    {
        if (check is null && port is null)
        {
            return new ProbeResult(true, "running (no port, no health check)");
        }

        if (string.Equals(check?.Type, HealthCheckSpec.NoProbe, StringComparison.OrdinalIgnoreCase))
        {
            return new ProbeResult(true, "running (health check 'none': no probe)");
        }

        var timeout = TimeSpan.FromSeconds(Math.Max(1, check?.TimeoutSeconds ?? 1));
        var type = check?.Type?.ToLowerInvariant() ?? "tcp";
        var note = string.Empty;
        if (type == "command")
        {
            if (driver is IPodExec exec && driver.Capabilities.Exec && check?.Command is { Count: > 0 } command)
            {
                return pod is null ? new ProbeResult(false, "no pod to run the command in") : await ExecAsync(exec, pod, command, timeout, cancellationToken);
            }

            // Only a revision stored before command checks were refused on such drivers gets here.
            type = "tcp";
            note = " (driver cannot exec: command probe run as tcp)";
        }

        if (endpoint is null)
        {
            return new ProbeResult(false, "no endpoint reported by the driver");
        }

        var target = check?.Port is { } probePort && probePort != port ? endpoint with { Port = probePort } : endpoint;

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

    /// <summary>Runs a command check; its detail has the exit code and the first line of the output (at most 200 characters).</summary>
    private static async Task<ProbeResult> ExecAsync(IPodExec exec, PodHandle pod, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var result = await exec.ExecAsync(pod, command, timeout, cancellationToken);
            if (result.TimedOut)
            {
                return new ProbeResult(false, $"command timed out after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
            }

            var firstLine = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
            var said = firstLine.Length == 0 ? string.Empty : $": {(firstLine.Length > 200 ? firstLine[..200] + "…" : firstLine)}";
            return new ProbeResult(result.ExitCode == 0, $"command exited {result.ExitCode.ToString(CultureInfo.InvariantCulture)}{said}");
        }
        catch (PodDriverException ex)
        {
            return new ProbeResult(false, $"command could not run: {ex.Message}");
        }
    }

    private static string Describe(SocketException? socket, string fallback) => socket?.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        null => fallback,
        var code => $"socket error {code}",
    };
}
