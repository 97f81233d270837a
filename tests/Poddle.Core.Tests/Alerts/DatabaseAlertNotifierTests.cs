using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Alerts;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Webhooks;
using Poddle.Testing;

namespace Poddle.Core.Tests.Alerts;

/// <summary>
/// The real notifier on both databases: once per incident (across calls, servers and restarts), recovery, throttling,
/// retries by the queue, and each receiver's payload as a real HTTP receiver and a real SMTP server get it.
/// </summary>
public sealed class DatabaseAlertNotifierTests
{
    private const string Json = "/hooks/json";
    private const string Slack = "/hooks/slack";
    private const string Discord = "/hooks/discord";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RaiseAsync_TwiceThenResolveTwice_OneProblemAndOneRecoveryInEachFormat(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await AlertsHarness.CreateAsync(provider, o => OperatorHooks(o, receiver, AlertLevelNames.Info));
        var alert = new Alert("orphans:runpod", AlertLevel.Critical, "3 orphaned pods costing $2.37/hr", "pods a, b, c", null);

        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.RunJobsAsync();
        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.RunJobsAsync();

        var json = Assert.Single(receiver.Accepted(Json));
        Assert.Equal(AlertMessageKinds.Problem, json.GetProperty("kind").GetString());
        Assert.Equal("orphans:runpod", json.GetProperty("key").GetString());
        Assert.Equal("critical", json.GetProperty("level").GetString());
        Assert.Equal("3 orphaned pods costing $2.37/hr", json.GetProperty("title").GetString());
        Assert.Equal("pods a, b, c", json.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("ownerId").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("resolvedAt").ValueKind);
        var slack = Assert.Single(receiver.Accepted(Slack));
        Assert.Equal(["text"], slack.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("[CRITICAL] 3 orphaned pods costing $2.37/hr", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var discord = Assert.Single(receiver.Accepted(Discord));
        Assert.Equal(["content"], discord.EnumerateObject().Select(p => p.Name));
        Assert.Equal(slack.GetProperty("text").GetString(), discord.GetProperty("content").GetString());

        h.Clock.Advance(TimeSpan.FromMinutes(12));
        await h.Notifier.ResolveAsync(alert.Key, CancellationToken.None);
        await h.Notifier.ResolveAsync(alert.Key, CancellationToken.None);
        await h.RunJobsAsync();

        var recovery = receiver.Accepted(Json)[1];
        Assert.Equal(2, receiver.Accepted(Json).Count);
        Assert.Equal(AlertMessageKinds.Recovery, recovery.GetProperty("kind").GetString());
        Assert.Equal(json.GetProperty("incidentId").GetString(), recovery.GetProperty("incidentId").GetString());
        Assert.Equal(AlertsHarness.T0.AddMinutes(12), recovery.GetProperty("resolvedAt").GetDateTimeOffset());
        Assert.Equal("[RESOLVED] 3 orphaned pods costing $2.37/hr (fired for 12 min)", receiver.Accepted(Slack)[1].GetProperty("text").GetString());
        Assert.Equal(2, receiver.Accepted(Discord).Count);
        Assert.Equal(6, receiver.Requests.Count);
        var incident = Assert.Single(await h.IncidentsAsync());
        Assert.Null(incident.FiringKey);
        Assert.Equal(AlertsHarness.T0.AddMinutes(12), incident.ResolvedAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RaiseAsync_TwoServersConcurrentlyOnOneDatabase_OneIncidentAndOneMessage(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var one = await AlertsHarness.CreateAsync(provider, o => OperatorHooks(o, receiver, AlertLevelNames.Info));
        await using var two = one.Another();
        var alert = new Alert("pool:x:budget", AlertLevel.Warning, "Pool x reached its budget", "$10/h", null);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? one : two).Notifier.RaiseAsync(alert, CancellationToken.None)));
        await one.RunJobsAsync();
        await two.RunJobsAsync();

        Assert.Single(await one.IncidentsAsync());
        Assert.Single(await one.JobsAsync(AlertDispatchJob.JobKind));
        Assert.Single(receiver.Accepted(Json));
        Assert.Single(receiver.Accepted(Slack));
        Assert.Single(receiver.Accepted(Discord));

        // Restarted: a new process knows nothing in memory, and the firing row still decides.
        await using var restarted = one.Another();
        await restarted.Notifier.RaiseAsync(alert, CancellationToken.None);
        await restarted.RunJobsAsync();
        Assert.Single(receiver.Accepted(Json));

        await Task.WhenAll(one.Notifier.ResolveAsync(alert.Key, CancellationToken.None), two.Notifier.ResolveAsync(alert.Key, CancellationToken.None));
        await one.RunJobsAsync();
        Assert.Equal(2, receiver.Accepted(Json).Count);
        Assert.Equal(AlertMessageKinds.Recovery, receiver.Accepted(Json)[1].GetProperty("kind").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RaiseAsync_AgainAfterResolve_NewIncidentHeldBackByTheThrottleUntilTheWindowEnds(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await AlertsHarness.CreateAsync(provider, o =>
        {
            o.ThrottleWindow = TimeSpan.FromMinutes(10);
            o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url(Json), MinLevel = AlertLevelNames.Info });
        });
        var alert = new Alert("deployment:d:unhealthy", AlertLevel.Warning, "web is unhealthy", "probe failing", null);

        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.RunJobsAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.Notifier.ResolveAsync(alert.Key, CancellationToken.None);
        await h.RunJobsAsync();

        // Flapping within the window: a raise/resolve sends nothing, and the raise after it waits for the window's end.
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.Notifier.ResolveAsync(alert.Key, CancellationToken.None);
        await h.Notifier.RaiseAsync(alert, CancellationToken.None);
        await h.RunJobsAsync();
        Assert.Equal([AlertMessageKinds.Problem, AlertMessageKinds.Recovery], Kinds(receiver));
        Assert.Equal(3, (await h.IncidentsAsync()).Count);

        h.Clock.Advance(TimeSpan.FromMinutes(8));
        await h.RunJobsAsync();
        Assert.Equal([AlertMessageKinds.Problem, AlertMessageKinds.Recovery], Kinds(receiver));

        // The window (from the recovery at minute 1) ended with the third incident still firing: its problem goes out now.
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.RunJobsAsync();
        Assert.Equal([AlertMessageKinds.Problem, AlertMessageKinds.Recovery, AlertMessageKinds.Problem], Kinds(receiver));
        var incidents = await h.IncidentsAsync();
        var firing = Assert.Single(incidents, i => i.FiringKey is not null);
        Assert.Equal(firing.Id, receiver.Accepted(Json)[2].GetProperty("incidentId").GetGuid());
        var flapped = Assert.Single(incidents, i => i.LastSentAt is null);
        Assert.NotNull(flapped.ResolvedAt);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DeliveryJob_ReceiverFails_RetriedByTheQueueUntilDelivered(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext = 2;
        await using var h = await AlertsHarness.CreateAsync(provider, o => o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url(Json), MinLevel = AlertLevelNames.Info }));

        await h.Notifier.RaiseAsync(new Alert("orphans:runpod", AlertLevel.Critical, "1 orphaned pod", "pod a", null), CancellationToken.None);
        await h.RunJobsAsync();
        Assert.Single(receiver.Requests);
        Assert.Empty(receiver.Accepted(Json));

        for (var i = 0; i < 10 && receiver.Accepted(Json).Count == 0; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(10));
            await h.RunJobsAsync();
        }

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Single(receiver.Accepted(Json));
        var delivery = Assert.Single(await h.JobsAsync(AlertDeliveryJob.JobKind));
        Assert.Equal((JobState.Succeeded, 3), (delivery.State, delivery.Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RaiseAsync_OwnersAlert_ToTheOwnersMailAndWebhook_AndToOperatorsOnlyWhenCritical(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await AlertsHarness.CreateAsync(
            provider,
            o =>
            {
                o.OwnerWebhookPrivateNetworks = true; // the test's receiver is on 127.0.0.1
                o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url("/ops"), MinLevel = AlertLevelNames.Info });
            },
            smtp);
        var alice = await h.SeedOwnerAsync("alice");
        var bob = await h.SeedOwnerAsync("bob", verified: false);
        await using (var scope = h.Scope())
        {
            var service = scope.ServiceProvider.GetRequiredService<AlertService>();
            var set = await service.UpdateSettingsAsync(alice, new AlertSettingsInput(receiver.Url("/alice/secret-key"), WebhookFormatNames.Discord, AlertLevelNames.Warning), CancellationToken.None);
            Assert.True(set.IsSuccess);
            Assert.Equal(new AlertSettingsView($"http://127.0.0.1:{receiver.Port}", "discord", "warning", true), set.Value);
        }

        await h.Notifier.RaiseAsync(new Alert("deployment:a:crash-loop", AlertLevel.Warning, "Deployment web is crash-looping", "exit code 1", alice), CancellationToken.None);
        await h.Notifier.RaiseAsync(new Alert("deployment:a:info", AlertLevel.Info, "below alice's level", "-", alice), CancellationToken.None);
        await h.Notifier.RaiseAsync(new Alert("deployment:b:failed", AlertLevel.Critical, "Deployment api failed", "image not found", bob), CancellationToken.None);
        await h.RunJobsAsync();

        var mail = await smtp.WaitForAsync(m => m.Subject.Contains("crash-looping", StringComparison.Ordinal), "alice's alert mail");
        Assert.Equal(["alice@example.test"], mail.To);
        Assert.Equal("Poddle alert (warning): Deployment web is crash-looping", mail.Subject);
        Assert.Contains("deployment:a:crash-loop", mail.Body, StringComparison.Ordinal);
        var hook = Assert.Single(receiver.Accepted("/alice/secret-key"));
        Assert.StartsWith("[WARNING] Deployment web is crash-looping", hook.GetProperty("content").GetString(), StringComparison.Ordinal);

        // Operators: bob's critical one only (bob's address is not verified: no mail to him).
        var ops = Assert.Single(receiver.Accepted("/ops"));
        Assert.Equal("deployment:b:failed", ops.GetProperty("key").GetString());
        Assert.Equal(bob, ops.GetProperty("ownerId").GetGuid());
        Assert.Single(smtp.Messages());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpdateSettingsAsync_PrivateOrInvalid_ValidationErrorNamingEachField(DatabaseProvider provider)
    {
        await using var h = await AlertsHarness.CreateAsync(provider, _ => { });
        var alice = await h.SeedOwnerAsync("alice");
        await using var scope = h.Scope();
        var service = scope.ServiceProvider.GetRequiredService<AlertService>();

        var privateHook = await service.UpdateSettingsAsync(alice, new AlertSettingsInput("http://127.0.0.1:8080/hook", null, null), CancellationToken.None);
        var invalid = await service.UpdateSettingsAsync(alice, new AlertSettingsInput("ftp://example.com/x", "teams", "loud"), CancellationToken.None);

        Assert.Equal(["WebhookUrl"], privateHook.Error!.Fields!.Keys);
        Assert.Contains("public address", privateHook.Error.Fields["WebhookUrl"][0], StringComparison.Ordinal);
        Assert.Equal(["Format", "MinLevel", "WebhookUrl"], invalid.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
        var none = await service.UpdateSettingsAsync(alice, new AlertSettingsInput(null, null, null), CancellationToken.None);
        Assert.Equal(new AlertSettingsView(null, "json", "warning", false), none.Value);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DeliveryJob_OwnerWebhookOnALoopbackName_RefusedAtConnect(DatabaseProvider provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await AlertsHarness.CreateAsync(provider, o => o.DeliveryAttempts = 1);
        var alice = await h.SeedOwnerAsync("alice");
        await using (var scope = h.Scope())
        {
            // Stored as if it passed the first check (a public name that later resolves to loopback).
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            db.Add(new AlertSettings { OwnerId = alice, WebhookUrl = $"http://localhost:{receiver.Port}/hook", Format = WebhookFormatNames.Json, MinLevel = AlertLevel.Info });
            await db.SaveChangesAsync();
        }

        await h.Notifier.RaiseAsync(new Alert("pool:p:spawn-failed", AlertLevel.Warning, "Pool p cannot start workers", "driver down", alice), CancellationToken.None);
        await h.RunJobsAsync();

        Assert.Empty(receiver.Requests);
        var delivery = Assert.Single(await h.JobsAsync(AlertDeliveryJob.JobKind));
        Assert.Equal(JobState.Dead, delivery.State);
        Assert.Contains("not on a public address", delivery.LastError, StringComparison.Ordinal);
    }

    private static void OperatorHooks(AlertsOptions o, WebhookReceiver receiver, string minLevel)
    {
        o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url(Json), Format = WebhookFormatNames.Json, MinLevel = minLevel });
        o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url(Slack), Format = WebhookFormatNames.Slack, MinLevel = minLevel });
        o.Webhooks.Add(new AlertWebhookOptions { Url = receiver.Url(Discord), Format = WebhookFormatNames.Discord, MinLevel = minLevel });
    }

    private static List<string?> Kinds(WebhookReceiver receiver) => [.. receiver.Accepted(Json).Select(b => b.GetProperty("kind").GetString())];
}
