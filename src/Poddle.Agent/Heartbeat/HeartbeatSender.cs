using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;

namespace Poddle.Agent.Heartbeat;

/// <summary>
/// Sends the latest health report to the Poddle server (POST {PODDLE_SERVER}/api/agents/heartbeat, bearer
/// PODDLE_AGENT_TOKEN). A failed heartbeat is logged and simply sent again with the next report: the server only keeps
/// the latest. The token is never logged.
/// </summary>
public sealed partial class HeartbeatSender(Uri server, string token, HttpClient http, ILogger<HeartbeatSender> logger)
{
    private readonly Uri _endpoint = new(server.AbsoluteUri.TrimEnd('/') + "/api/agents/heartbeat");
    private readonly string _display = server.GetLeftPart(UriPartial.Authority);
    private int _failures;

    /// <summary>The agent's version sent with every heartbeat.</summary>
    public static string AgentVersion { get; } = typeof(HeartbeatSender).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Sends one heartbeat; never throws for a failure (it is logged).</summary>
    public async Task<bool> SendAsync(AgentHealthReport report, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = JsonContent.Create(new AgentHeartbeatRequest(AgentVersion, report), PoddleJsonContext.Default.AgentHeartbeatRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, limit.Token);
            if (response.IsSuccessStatusCode)
            {
                if (_failures > 0)
                {
                    LogRecovered(logger, _display, _failures);
                }

                _failures = 0;
                return true;
            }

            Fail($"HTTP {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            Fail(ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Fail($"no answer within {timeout.TotalSeconds:0.#} s");
        }

        return false;
    }

    private void Fail(string reason)
    {
        _failures++;
        LogFailed(logger, _display, reason, _failures);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat to {Server} failed: {Reason} ({Failures} in a row); the next report is sent next period")]
    private static partial void LogFailed(ILogger logger, string server, string reason, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeat to {Server} succeeded again after {Failures} failure(s)")]
    private static partial void LogRecovered(ILogger logger, string server, int failures);
}
