using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Poddle.Drivers.RunPod.Api;

/// <summary>
/// RunPod's GraphQL API over a typed <see cref="HttpClient"/>: one POST per call with the key as a Bearer header (never
/// in the URL, where logs would keep it), the answer's <c>errors[]</c> as <see cref="RunPodApiException"/>s, and Polly
/// around every call: a timeout per attempt, retries with jittered exponential back-off of transient failures (timeouts,
/// connection failures, 429, 5xx, INTERNAL_SERVER_ERROR) — for calls that would not do twice what they did once — and
/// the circuit breaker of the key (<see cref="RunPodCircuits"/>), which refuses calls for a while after repeated failures.
/// </summary>
public sealed partial class RunPodGraphQLClient
{
    private readonly HttpClient _http;
    private readonly RunPodDriverOptions _options;
    private readonly ILogger _logger;
    private readonly RunPodCircuit _circuit;
    private readonly ResiliencePipeline _safe;
    private readonly ResiliencePipeline _once;

    /// <summary>Creates the client (the factory configures <paramref name="http"/>).</summary>
    public RunPodGraphQLClient(HttpClient http, RunPodDriverOptions options, RunPodCircuits circuits, ILogger<RunPodGraphQLClient> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(circuits);
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _options = options;
        _logger = logger;
        _circuit = circuits.For(options, time);
        _safe = Pipeline(options, time, IsTransient);
        _once = Pipeline(options, time, IsSafeToRepeat);
    }

    /// <summary>Whether the key's circuit is open (calls refused now), for health and metrics.</summary>
    public bool CircuitOpen => _circuit.IsOpen;

    /// <summary>
    /// Runs <paramref name="document"/> and returns <c>data.<paramref name="field"/></c> (null when RunPod answered null).
    /// <paramref name="idempotent"/> false (a deploy) retries only failures where RunPod cannot have acted (connection
    /// refused, 429, 502-504 from its gateway), never a timeout: a second deploy could rent a second pod.
    /// </summary>
    public async Task<JsonElement?> ExecuteAsync(string document, JsonObject? variables, string field, bool idempotent, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["query"] = document, ["variables"] = variables ?? [] }.ToJsonString();
        var pipeline = idempotent ? _safe : _once;
        return await _circuit.Pipeline.ExecuteAsync(
            async outer => await pipeline.ExecuteAsync(async ct => await SendAsync(body, field, ct), outer),
            cancellationToken);
    }

    private async ValueTask<JsonElement?> SendAsync(string body, string field, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var transient = status is 408 or 429 or >= 500;
            throw new RunPodApiException(
                status is 401 or 403 ? $"RunPod refused the API key (HTTP {status}): check RunPod:ApiKey" : $"RunPod answered HTTP {status}",
                status,
                code: null,
                transient);
        }

        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        var root = document.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            var message = first.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "RunPod answered an error";
            var code = first.TryGetProperty("extensions", out var ext) && ext.ValueKind == JsonValueKind.Object && ext.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString()
                : null;
            throw new RunPodApiException(message, null, code, transient: code == RunPodQueries.InternalServerError);
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.Clone();
    }

    /// <summary>Whether a failure is worth another attempt at all.</summary>
    internal static bool IsTransient(Exception ex) =>
        ex is RunPodApiException { Transient: true } or HttpRequestException or TimeoutRejectedException;

    // Only what RunPod cannot have acted on: the connection never opened, it said "too many", or its gateway said the
    // service behind was unreachable.
    private static bool IsSafeToRepeat(Exception ex) =>
        ex is HttpRequestException { StatusCode: null } or RunPodApiException { HttpStatus: 429 or 502 or 503 or 504 };

    private ResiliencePipeline Pipeline(RunPodDriverOptions options, TimeProvider time, Func<Exception, bool> retryable)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries == 0)
        {
            return builder.AddTimeout(options.CallTimeout).Build();
        }

        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle(retryable),
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            OnRetry = args =>
            {
                LogRetry(_logger, args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome.Exception));
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(options.CallTimeout);
        return builder.Build();
    }

    private static string Describe(Exception? ex) => ex switch
    {
        RunPodApiException api => api.Code is { } code ? $"{code}: {api.Message}" : api.Message,
        TimeoutRejectedException => "timed out",
        HttpRequestException http => http.Message,
        BrokenCircuitException => "circuit open",
        _ => ex?.GetType().Name ?? "unknown",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "RunPod call failed ({Reason}); retry {Attempt} in {Delay}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, string reason);
}
