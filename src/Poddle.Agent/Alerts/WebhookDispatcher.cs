using System.Net.Http.Json;
using System.Net.Mime;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Agent.Alerts;

/// <summary>How hard a webhook is tried.</summary>
/// <remarks>MaxAttempts: Tries per alert before it is dropped (logged).</remarks>
/// <remarks>RetryDelay: First back-off; exponential with jitter up to MaxRetryDelay.</remarks>
/// <remarks>AttemptTimeout: One POST's time limit.</remarks>
/// <remarks>QueueCapacity: Alerts waiting per webhook; beyond it the oldest are dropped.</remarks>
public sealed record WebhookDelivery(int MaxAttempts, TimeSpan RetryDelay, TimeSpan MaxRetryDelay, TimeSpan AttemptTimeout, int QueueCapacity)
{
    /// <summary>8 tries over about 4 minutes (1 s doubling, at most 60 s apart), 10 s each, 256 queued.</summary>
    public static WebhookDelivery Default { get; } = new(8, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), 256);
}

/// <summary>
/// Sends alerts to webhooks without ever blocking the monitor: <see cref="Enqueue"/> only writes to one bounded queue
/// per webhook, and one consumer per webhook posts them in order, retrying with exponential back-off (Polly), so a
/// webhook that is down delays only its own alerts and loses none until its queue overflows or they run out of tries.
/// </summary>
public sealed partial class WebhookDispatcher : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly List<(WebhookTarget Target, Channel<Alert> Queue, Task Consumer)> _webhooks = [];
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ResiliencePipeline _pipeline;

    public WebhookDispatcher(IEnumerable<WebhookTarget> targets, HttpClient http, WebhookDelivery delivery, ILogger<WebhookDispatcher> logger, TimeProvider time)
    {
        _http = http;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, delivery.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delivery.RetryDelay,
                MaxDelay = delivery.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutRejectedException or WebhookRejectedException { Retryable: true }),
                OnRetry = args =>
                {
                    LogRetry(_logger, (string)args.Context.Properties.GetValue(TargetKey, string.Empty), args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "failed");
                    return default;
                },
            })
            .AddTimeout(delivery.AttemptTimeout)
            .Build();
        foreach (var target in targets)
        {
            var queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(delivery.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            _webhooks.Add((target, queue, Task.Run(() => ConsumeAsync(target, queue.Reader))));
        }
    }

    private static ResiliencePropertyKey<string> TargetKey { get; } = new("webhook");

    /// <summary>Queues <paramref name="alert"/> for every webhook; returns at once.</summary>
    public void Enqueue(Alert alert)
    {
        foreach (var (_, queue, _) in _webhooks)
        {
            queue.Writer.TryWrite(alert);
        }
    }

    /// <summary>Stops taking alerts, gives the queued ones <paramref name="drain"/> to go out, then abandons the rest.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        foreach (var (_, queue, _) in _webhooks)
        {
            queue.Writer.TryComplete();
        }

        var consumers = Task.WhenAll(_webhooks.Select(w => w.Consumer));
        if (await Task.WhenAny(consumers, Task.Delay(drain)) != consumers)
        {
            await _shutdown.CancelAsync();
            await consumers;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _shutdown.Dispose();
    }

    private async Task ConsumeAsync(WebhookTarget target, ChannelReader<Alert> reader)
    {
        try
        {
            await foreach (var alert in reader.ReadAllAsync(_shutdown.Token))
            {
                var context = ResilienceContextPool.Shared.Get(_shutdown.Token);
                context.Properties.Set(TargetKey, target.Display);
                try
                {
                    await _pipeline.ExecuteAsync(async (ctx, state) => await PostAsync(state.target, state.alert, ctx.CancellationToken), context, (target, alert));
                    LogDelivered(_logger, alert.Kind, alert.Check, target.Display);
                }
                catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or WebhookRejectedException
                    || (ex is OperationCanceledException && !_shutdown.IsCancellationRequested))
                {
                    LogDropped(_logger, alert.Kind, alert.Check, target.Display, ex.Message);
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Shut down with alerts still queued: they were logged when raised.
        }
    }

    private async Task PostAsync(WebhookTarget target, Alert alert, CancellationToken cancellationToken)
    {
        using HttpContent content = ChatWebhookBody.Create(target.Format, alert.Text) is { } chat
            ? new StringContent(chat, Encoding.UTF8, MediaTypeNames.Application.Json)
            : JsonContent.Create(alert, AlertJsonContext.Default.Alert);
        using var response = await _http.PostAsync(target.Url, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;

            // 4xx other than 408/429 is the webhook's answer to this request (bad URL, revoked key): trying again cannot help.
            throw new WebhookRejectedException($"HTTP {status}", status is >= 500 or 408 or 429);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {Kind} of {Check} delivered to {Webhook}")]
    private static partial void LogDelivered(ILogger logger, string kind, string check, string webhook);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: attempt {Attempt} failed ({Reason}); retrying in {DelaySeconds:0.#} s")]
    private static partial void LogRetry(ILogger logger, string webhook, int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Kind} of {Check} not delivered to {Webhook}: {Reason}; dropped")]
    private static partial void LogDropped(ILogger logger, string kind, string check, string webhook, string reason);

    private sealed class WebhookRejectedException(string message, bool retryable) : Exception(message)
    {
        public bool Retryable { get; } = retryable;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Alert))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
