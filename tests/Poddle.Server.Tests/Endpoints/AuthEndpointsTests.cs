using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class AuthEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_ValidAccount_Is201WithMemberOnTheFreeTier(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("Reg.One@Example.test", "reg-one", Password, "Reg One"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = await response.Content.ReadFromJsonAsync<UserResponse>();
        Assert.Equal("reg.one@example.test", user!.Email);
        Assert.Equal("reg-one", user.Username);
        Assert.Equal("member", user.Role);
        Assert.Equal("free", user.Tier);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
        Assert.DoesNotContain("passwordHash", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_TakenEmailOrUsername_Is409NamingTheField(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("dup@example.test", "dup-user", Password))).StatusCode);

        var sameEmail = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("DUP@example.test", "dup-other", Password));
        var sameName = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("dup2@example.test", "Dup-User", Password));

        Assert.Equal(HttpStatusCode.Conflict, sameEmail.StatusCode);
        var emailProblem = await sameEmail.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal("urn:poddle:problem:email-taken", emailProblem!.Type);
        Assert.Contains("email", emailProblem.Errors!.Keys);
        Assert.Equal(HttpStatusCode.Conflict, sameName.StatusCode);
        Assert.Equal("username-taken", (await sameName.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_WithEmailOrUsername_ReturnsTokensAndUser(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("login-user", Password);
        using var client = server.CreateClient();

        foreach (var request in new object[]
        {
            new { email = "login-user@example.test", password = Password },
            new { username = "login-user", password = Password },
            new { login = "LOGIN-USER@example.test", password = Password },
        })
        {
            var before = DateTimeOffset.UtcNow;
            var response = await client.PostAsJsonAsync("/api/auth/login", request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var tokens = await response.Content.ReadFromJsonAsync<TokenResponse>();
            Assert.False(string.IsNullOrEmpty(tokens!.AccessToken));
            Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));
            Assert.Equal("Bearer", tokens.TokenType);
            Assert.Equal("login-user", tokens.User.Username);
            Assert.InRange(tokens.ExpiresAt, before.AddMinutes(15).AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(15).AddSeconds(5));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_WrongPasswordOrUnknownUser_Is401WithTheSameProblem(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("wrong-pw", Password);
        using var client = server.CreateClient();

        var wrong = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("wrong-pw", "not-the-password"));
        var unknown = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("no-such-user", "not-the-password"));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var a = await wrong.Content.ReadFromJsonAsync<ProblemResponse>();
        var b = await unknown.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal("invalid-credentials", a!.Code);
        Assert.Equal(a.Detail, b!.Detail);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_SixthAttemptAfterFiveFailures_Is429WithRetryAfter(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("throttled", Password);
        using var client = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("throttled", "wrong-password"))).StatusCode);
        }

        var response = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("throttled", Password));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.Equal("too-many-login-attempts", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refresh_RotatesAndReuseOfTheOldTokenRevokesTheFamily(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, login) = await server.CreateUserAsync("refresher", Password);
        using var anonymous = server.CreateClient();

        var first = await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = (await first.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.NotEqual(login.RefreshToken, rotated.RefreshToken);
        using var rotatedClient = server.CreateClient(rotated.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await rotatedClient.GetAsync("/api/auth/me")).StatusCode);

        var replay = await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken));

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("invalid-refresh-token", (await replay.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(rotated.RefreshToken))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await rotatedClient.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Logout_EndsTheSession_AccessAndRefreshTokensStopWorking(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, login) = await server.CreateUserAsync("leaver", Password);
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);

        var me = await client.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal("invalid-token", (await me.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/auth/logout", null)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Me_AtBothPaths_ReturnsTheCaller_AndAdminHasTheAdminRole(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, login) = await server.CreateUserAsync("me-user", Password);
        var (admin, _) = await server.SignInAdminAsync();

        var viaAuth = await client.GetFromJsonAsync<UserResponse>("/api/auth/me");
        var viaUsers = await client.GetFromJsonAsync<UserResponse>("/api/users/me");

        Assert.Equal(login.User, viaAuth);
        Assert.Equal(viaAuth, viaUsers);
        Assert.Equal("admin", (await admin.GetFromJsonAsync<UserResponse>("/api/users/me"))!.Role);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Me_MissingWrongOrForeignSignedToken_Is401Problem(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, login) = await server.CreateUserAsync("bad-tokens", Password);
        var parts = login.AccessToken.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + new string(parts[2].Reverse().ToArray());

        foreach (var token in new string?[] { null, "garbage", tampered, "pdl_not-a-real-token", login.RefreshToken })
        {
            using var caller = server.CreateClient(token);
            var response = await caller.GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
            Assert.Equal(token is null ? "unauthenticated" : "invalid-token", problem!.Code);
            Assert.StartsWith("urn:poddle:problem:", problem.Type, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AccessToken_AfterItsLifetime_Is401(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(provider, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var (client, _) = await server.CreateUserAsync("expiring", Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(2));

        var response = await client.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid-token", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }
}
