using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.RateLimiting;

/// <summary>
/// The request rate limits with small configured values (the defaults are far above what tests and people do). The
/// limiter keeps its counts in memory, so one database engine is enough here.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Register_OverThePerIpLimit_Is429ProblemWithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:Registration:PermitLimit"] = "2",
            ["RateLimits:Registration:Window"] = "01:00:00",
        });
        using var client = server.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest($"r{i}@example.test", $"reg-{i}", "correct-horse-battery"))).StatusCode);
        }

        var third = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("r3@example.test", "reg-3", "correct-horse-battery"));

        var problem = await AssertTooManyAsync(third, TimeSpan.FromHours(1));
        Assert.Contains("registered", problem.Detail, StringComparison.Ordinal);
        using var admin = (await server.SignInAdminAsync()).Client;
        Assert.Equal(3, (await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users"))!.Total);
    }

    [Fact]
    public async Task PasswordResetAndVerification_OverThePerIpLimit_Is429WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:PasswordReset:PermitLimit"] = "3",
            ["RateLimits:PasswordReset:Window"] = "00:10:00",
        });
        using var client = server.CreateClient();

        // Answered (503 here: this server sends no mail) and counted alike.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("a@example.test"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest("x", "new-passphrase"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/auth/verify-email", new VerifyEmailRequest("x"))).StatusCode);

        await AssertTooManyAsync(await client.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("a@example.test")), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task AuthenticatedApi_OverThePerUserLimit_Is429_WhileAnotherUserGoesOn()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:ApiPerUser:PermitLimit"] = "3",
            ["RateLimits:ApiPerUser:Window"] = "01:00:00",
        });
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/auth/me")).StatusCode);
        }

        await AssertTooManyAsync(await alice.GetAsync("/api/projects"), TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/auth/me")).StatusCode);

        // Anonymous requests and health probes are not API users: nothing counts them here.
        using var anonymous = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task AuthenticatedApi_OverThePerIpLimit_Is429ForEveryUserBehindIt()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:ApiPerIp:PermitLimit"] = "4",
            ["RateLimits:ApiPerIp:Window"] = "01:00:00",
        });
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/auth/me")).StatusCode);
        }

        await AssertTooManyAsync(await alice.GetAsync("/api/auth/me"), TimeSpan.FromHours(1));
        await AssertTooManyAsync(await bob.GetAsync("/api/auth/me"), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task PistonApi_KeepsItsOwnRules_AndIsNotCountedByTheApiLimits()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["RateLimits:ApiPerUser:PermitLimit"] = "2",
            ["RateLimits:ApiPerUser:Window"] = "01:00:00",
        });
        var (alice, _) = await server.CreateUserAsync("alice");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v2/runtimes")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/auth/me")).StatusCode);
    }

    private static async Task<ProblemResponse> AssertTooManyAsync(HttpResponseMessage response, TimeSpan window)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), window);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("too-many-requests", problem.Code);
        Assert.Equal("urn:poddle:problem:too-many-requests", problem.Type);
        Assert.Equal(429, problem.Status);
        return problem;
    }
}
