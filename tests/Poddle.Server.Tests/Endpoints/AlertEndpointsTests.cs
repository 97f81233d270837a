using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Alerts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class AlertEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Alerts_EachOwnerSeesTheirOwn_AdminSeesAll_AnonymousIs401(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        var (bob, bobTokens) = await server.CreateUserAsync("bob");
        var alerts = server.Services.GetRequiredService<IAlertNotifier>();
        await alerts.RaiseAsync(new Alert("deployment:a:crash-loop", AlertLevel.Warning, "Deployment web is crash-looping", "exit code 1", aliceTokens.User.Id), CancellationToken.None);
        await alerts.RaiseAsync(new Alert("deployment:b:oom", AlertLevel.Warning, "Deployment api ran out of memory", "OOMKilled", bobTokens.User.Id), CancellationToken.None);
        await alerts.RaiseAsync(new Alert("orphans:runpod", AlertLevel.Critical, "1 orphaned pod costing $0.44/hr", "pod x", null), CancellationToken.None);
        await alerts.ResolveAsync("deployment:b:oom", CancellationToken.None);

        var mine = await alice.GetFromJsonAsync("/api/alerts", PoddleJsonContext.Default.IReadOnlyListAlertResponse);
        var theirs = await bob.GetFromJsonAsync("/api/alerts", PoddleJsonContext.Default.IReadOnlyListAlertResponse);
        var all = await admin.GetFromJsonAsync("/api/alerts", PoddleJsonContext.Default.IReadOnlyListAlertResponse);

        var one = Assert.Single(mine!);
        Assert.Equal(("deployment:a:crash-loop", "warning", true, aliceTokens.User.Id), (one.Key, one.Level, one.Firing, one.OwnerId!.Value));
        var resolved = Assert.Single(theirs!);
        Assert.Equal(("deployment:b:oom", false), (resolved.Key, resolved.Firing));
        Assert.NotNull(resolved.ResolvedAt);
        Assert.Equal(["deployment:a:crash-loop", "deployment:b:oom", "orphans:runpod"], all!.Select(a => a.Key).Order(StringComparer.Ordinal));
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/alerts")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Settings_PutInvalid_Is400NamingEachField_ValidIsShownByItsOriginOnly(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");

        var invalid = await alice.PutAsJsonAsync("/api/alerts/settings", new AlertSettingsRequest("http://10.0.0.5/hook", "teams", "loud"), PoddleJsonContext.Default.AlertSettingsRequest);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal("validation", problem!.Code);
        Assert.Equal(["format", "minLevel", "webhookUrl"], problem.Errors!.Keys.Order(StringComparer.Ordinal));

        var set = await alice.PutAsJsonAsync("/api/alerts/settings", new AlertSettingsRequest("https://hooks.slack.com/services/T0/B0/secret", "slack", "critical"), PoddleJsonContext.Default.AlertSettingsRequest);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var shown = await alice.GetFromJsonAsync("/api/alerts/settings", PoddleJsonContext.Default.AlertSettingsResponse);
        Assert.Equal(new AlertSettingsResponse("https://hooks.slack.com", "slack", "critical", false), shown);
        Assert.DoesNotContain("secret", await (await alice.GetAsync("/api/alerts/settings")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another owner's settings are their own.
        Assert.Equal(new AlertSettingsResponse(null, "json", "warning", false), await bob.GetFromJsonAsync("/api/alerts/settings", PoddleJsonContext.Default.AlertSettingsResponse));
    }
}
