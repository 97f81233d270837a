using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Poddle.Agent.Alerts;
using Poddle.Agent.Tests.Support;
using Poddle.Drivers.Abstractions.Webhooks;
using Poddle.Testing;

namespace Poddle.Agent.Tests.Alerts;

/// <summary>Webhook delivery over real HTTP to a local listener.</summary>
public sealed class WebhookDispatcherTests : IDisposable
{
    private static readonly WebhookDelivery Fast = new(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 16);
    /// <summary>The fake clock's step between polls: well below the attempt time-out, so no POST in flight times out.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Enqueue_EachFormat_PostsItsBody()
    {
        await using var listener = WebhookListener.Start();
        using var http = new HttpClient();
        await using var dispatcher = new WebhookDispatcher(
            [new(listener.Url, WebhookFormat.Json), new(new Uri(listener.Url + "/slack"), WebhookFormat.Slack), new(new Uri(listener.Url + "/discord"), WebhookFormat.Discord)],
            http, Fast, _logs.For<WebhookDispatcher>(), TimeProvider.System);

        dispatcher.Enqueue(SampleAlert());
        var requests = await listener.WaitForAsync(3, TimeSpan.FromSeconds(10));

        Assert.Equal(3, requests.Count);
        using var json = JsonDocument.Parse(requests.Single(r => r.Path.EndsWith("secret-key", StringComparison.Ordinal)).Body);
        Assert.Equal("problem", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal("cpu", json.RootElement.GetProperty("check").GetString());
        Assert.Equal("critical", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(95, json.RootElement.GetProperty("value").GetDouble());
        Assert.Equal("pod-9", json.RootElement.GetProperty("podId").GetString());
        Assert.StartsWith("[pod-9] CRITICAL cpu", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var slack = JsonDocument.Parse(requests.Single(r => r.Path.EndsWith("/slack", StringComparison.Ordinal)).Body);
        Assert.StartsWith("[pod-9] CRITICAL cpu", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var discord = JsonDocument.Parse(requests.Single(r => r.Path.EndsWith("/discord", StringComparison.Ordinal)).Body);
        Assert.StartsWith("[pod-9] CRITICAL cpu", discord.RootElement.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_WebhookDownThenUp_AlertIsRetriedUntilItArrives()
    {
        var port = WebhookListener.FreePort();
        var clock = new FakeTimeProvider();
        using var http = new HttpClient();
        await using var dispatcher = new WebhookDispatcher([new(new Uri($"http://127.0.0.1:{port}/hook/secret-key"), WebhookFormat.Json)], http, Fast, _logs.For<WebhookDispatcher>(), clock);

        var stopwatch = Stopwatch.StartNew();
        dispatcher.Enqueue(SampleAlert());
        Assert.True(stopwatch.ElapsedMilliseconds < 100, "Enqueue must not wait for the webhook");
        await Poll.UntilAsync(() => _logs.Text.Contains("retrying", StringComparison.Ordinal), "the first try fails and is retried");
        await using var listener = WebhookListener.Start(port);
        await Poll.AdvancingUntilAsync(clock, Step, () => !listener.Requests.IsEmpty, "a retry reaches the webhook");
        IReadOnlyList<RecordedRequest> requests = [.. listener.Requests];

        Assert.Single(requests);
        Assert.Contains("retrying", _logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_WebhookAnswers503ThenOk_RetriesAndDeliversOnce()
    {
        await using var listener = WebhookListener.Start();
        listener.Status = 503;
        var clock = new FakeTimeProvider();
        using var http = new HttpClient();
        await using var dispatcher = new WebhookDispatcher([new(listener.Url, WebhookFormat.Slack)], http, Fast, _logs.For<WebhookDispatcher>(), clock);

        dispatcher.Enqueue(SampleAlert());
        await Poll.AdvancingUntilAsync(clock, Step, () => listener.Requests.Count >= 2, "the 503 is retried");
        listener.Status = 200;
        var count = listener.Requests.Count;
        await Poll.AdvancingUntilAsync(clock, Step, () => _logs.Text.Contains("delivered", StringComparison.Ordinal), "the alert is delivered");
        clock.Advance(Fast.MaxRetryDelay * 4); // past any back-off a further try would wait

        Assert.True(listener.Requests.Count <= count + 1, "after a 200 no further tries");
        Assert.DoesNotContain("dropped", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_WebhookRejectsWith404_IsNotRetried()
    {
        await using var listener = WebhookListener.Start();
        listener.Status = 404;
        var clock = new FakeTimeProvider();
        using var http = new HttpClient();
        await using var dispatcher = new WebhookDispatcher([new(listener.Url, WebhookFormat.Json)], http, Fast, _logs.For<WebhookDispatcher>(), clock);

        dispatcher.Enqueue(SampleAlert());
        await listener.WaitForAsync(1, TimeSpan.FromSeconds(10));

        // Dropped without the clock moving: a retry would wait for a back-off on the fake clock and never be dropped.
        await Poll.UntilAsync(() => _logs.Text.Contains("dropped", StringComparison.Ordinal), "the rejected alert is dropped");
        clock.Advance(Fast.MaxRetryDelay * 4);

        Assert.Single(listener.Requests);
        Assert.Contains("dropped", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FormatPrefixes_AreRecognisedAndBadValuesNamed()
    {
        Assert.Equal(WebhookFormat.Slack, WebhookTarget.Parse("slack=https://hooks.slack.com/services/x", out _)!.Format);
        Assert.Equal(WebhookFormat.Discord, WebhookTarget.Parse("discord=https://discord.com/api/webhooks/1/x", out _)!.Format);
        Assert.Equal(WebhookFormat.Json, WebhookTarget.Parse("https://example.com/hook?a=b", out _)!.Format);
        Assert.Null(WebhookTarget.Parse("teams=https://x", out var error));
        Assert.Contains("teams", error, StringComparison.Ordinal);
        Assert.Null(WebhookTarget.Parse("ftp://x", out _));
    }

    internal static Alert SampleAlert() =>
        new("problem", "cpu", "critical", "healthy", 95, 80, "%", "CPU above threshold", "pod-9", "runpod", "host", DateTimeOffset.UtcNow, 0);
}
