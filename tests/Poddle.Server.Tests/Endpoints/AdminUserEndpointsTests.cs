using System.Net;
using System.Net.Http.Json;
using System.Text;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class AdminUserEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_AdminSetsTier_TierChangesAndShowsInMe(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");

        var response = await admin.PatchAsJsonAsync($"/api/admin/users/{aliceTokens.User.Id}", new UpdateUserAccessRequest(Tier: UserTierName.Pro), PoddleJsonContext.Default.UpdateUserAccessRequest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await alice.GetFromJsonAsync<UserResponse>("/api/users/me");
        Assert.Equal("pro", me!.Tier);
        var list = await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users");
        Assert.Equal(2, list!.Total);
        var searched = await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users?search=ALI");
        Assert.Equal(["alice"], searched!.Users.Select(u => u.Username));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_UnknownEnumValue_Is400NamingTheFieldAndChangesNothing(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");

        foreach (var json in new[] { "{\"tier\":\"platinum\"}", "{\"tier\":7}" })
        {
            using var body = new StringContent(json, Encoding.UTF8, "application/json");
            var response = await admin.PatchAsync($"/api/admin/users/{aliceTokens.User.Id}", body);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
            Assert.Contains("tier", problem!.Errors!.Keys);
        }

        Assert.Equal("free", (await alice.GetFromJsonAsync<UserResponse>("/api/users/me"))!.Tier);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AdminEndpoints_MemberIs403_AnonymousIs401(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        using var anonymous = server.CreateClient();

        var asMember = await alice.PatchAsJsonAsync($"/api/admin/users/{aliceTokens.User.Id}", new UpdateUserAccessRequest(Role: UserRoleName.Admin), PoddleJsonContext.Default.UpdateUserAccessRequest);
        var asAnonymous = await anonymous.GetAsync("/api/admin/users");

        Assert.Equal(HttpStatusCode.Forbidden, asMember.StatusCode);
        Assert.Equal("forbidden", (await asMember.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, asAnonymous.StatusCode);
        Assert.Equal("member", (await alice.GetFromJsonAsync<UserResponse>("/api/users/me"))!.Role);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_DemotingTheLastAdmin_Is409(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, adminTokens) = await server.SignInAdminAsync();

        var response = await admin.PatchAsJsonAsync($"/api/admin/users/{adminTokens.User.Id}", new UpdateUserAccessRequest(Role: UserRoleName.Member), PoddleJsonContext.Default.UpdateUserAccessRequest);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("last-admin", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Disable_AccessRefreshAndApiTokensStopAtOnce_SignInIs403_EnableLetsThemBackIn(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, tokens) = await server.CreateUserAsync("alice");
        var apiToken = (await (await alice.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!.Token;
        using var cli = server.CreateClient(apiToken);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);

        var disabled = await admin.PostAsync($"/api/admin/users/{tokens.User.Id}/disable", null);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.True((await disabled.Content.ReadFromJsonAsync<UserResponse>())!.Disabled);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cli.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(tokens.RefreshToken))).StatusCode);
        var signIn = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("alice", "correct-horse-battery"));
        Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode);
        Assert.Equal("account-disabled", (await signIn.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.True((await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users"))!.Users.Single(u => u.Username == "alice").Disabled);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/users/{tokens.User.Id}/enable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("alice", "correct-horse-battery"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/auth/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ResetPassword_GeneratedPasswordIsShownOnce_AndTheirSessionsEnd(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, adminTokens) = await server.SignInAdminAsync();
        var (alice, tokens) = await server.CreateUserAsync("alice");
        using var anonymous = server.CreateClient();

        var reset = await admin.PostAsync($"/api/admin/users/{tokens.User.Id}/reset-password", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var generated = (await reset.Content.ReadFromJsonAsync<AdminPasswordResetResponse>())!.Password;
        Assert.False(string.IsNullOrEmpty(generated));
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/auth/me")).StatusCode);
        var again = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("alice", generated));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var aliceAgain = server.CreateClient((await again.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);

        var self = await admin.PostAsync($"/api/admin/users/{adminTokens.User.Id}/disable", null);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal("cannot-disable-self", (await self.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await aliceAgain.PostAsync($"/api/admin/users/{adminTokens.User.Id}/disable", null)).StatusCode);
    }
}
