using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class UserEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_DisplayName_UpdatesWithoutThePassword(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("patcher", Password);

        var response = await client.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(DisplayName: "  Pat Cher "));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Pat Cher", (await response.Content.ReadFromJsonAsync<UserResponse>())!.DisplayName);
        Assert.Equal("Pat Cher", (await client.GetFromJsonAsync<UserResponse>("/api/auth/me"))!.DisplayName);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_PasswordOrEmailWithoutTheCurrentPassword_Is400NamingCurrentPassword(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("guarded", Password);

        foreach (var request in new[]
        {
            new UpdateUserRequest(Password: "a-brand-new-password"),
            new UpdateUserRequest(Email: "elsewhere@example.test", CurrentPassword: "wrong-password"),
        })
        {
            var response = await client.PatchAsJsonAsync("/api/users/me", request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("currentPassword", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        }

        var me = await client.GetFromJsonAsync<UserResponse>("/api/users/me");
        Assert.Equal("guarded@example.test", me!.Email);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("guarded", Password))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_Password_SignsOutOtherSessionsButKeepsTheCallers(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (laptop, _) = await server.CreateUserAsync("rotator", Password);
        using var anonymous = server.CreateClient();
        var phoneLogin = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("rotator", Password));
        var phoneTokens = (await phoneLogin.Content.ReadFromJsonAsync<TokenResponse>())!;
        using var phone = server.CreateClient(phoneTokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/api/users/me")).StatusCode);

        var response = await laptop.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(Password: "a-brand-new-password", CurrentPassword: Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(phoneTokens.RefreshToken))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/users/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_PasswordWithTheCurrentOne_ChangesWhichPasswordSignsIn(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("changer", Password);

        var response = await client.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(Password: "a-brand-new-password", CurrentPassword: Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("changer", Password))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("changer", "a-brand-new-password"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_EmailOfAnotherAccount_Is409(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        await server.CreateUserAsync("taken-email", Password);
        var (client, _) = await server.CreateUserAsync("wants-email", Password);

        var response = await client.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(Email: "taken-email@example.test", CurrentPassword: Password));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("email-taken", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Sessions_ListsEachSignIn_AndMarksTheCurrentOne(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (laptop, _) = await server.CreateUserAsync("devices", Password);
        using var anonymous = server.CreateClient();
        var phone = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("devices", Password))).Content.ReadFromJsonAsync<TokenResponse>())!;

        var sessions = await laptop.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");

        Assert.Equal(2, sessions!.Count);
        var current = Assert.Single(sessions, s => s.Current);
        Assert.Equal("127.0.0.1", current.IpAddress);
        using var phoneClient = server.CreateClient(phone.AccessToken);
        var fromPhone = await phoneClient.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions");
        Assert.NotEqual(current.Id, Assert.Single(fromPhone!, s => s.Current).Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DeleteSession_MakesItsAccessTokenFailAtOnce(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (laptop, _) = await server.CreateUserAsync("revoker", Password);
        using var anonymous = server.CreateClient();
        var phone = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("revoker", Password))).Content.ReadFromJsonAsync<TokenResponse>())!;
        using var phoneClient = server.CreateClient(phone.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await phoneClient.GetAsync("/api/users/me")).StatusCode);
        var phoneSession = (await phoneClient.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions"))!.Single(s => s.Current);

        var response = await laptop.DeleteAsync($"/api/users/me/sessions/{phoneSession.Id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phoneClient.GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(phone.RefreshToken))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/users/me")).StatusCode);
        Assert.Single((await laptop.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions"))!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DeleteSession_OfAnotherUser_Is404AndLeavesItStanding(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (alice, _) = await server.CreateUserAsync("sess-alice", Password);
        var (bob, _) = await server.CreateUserAsync("sess-bob", Password);
        var bobSession = (await bob.GetFromJsonAsync<List<SessionResponse>>("/api/users/me/sessions"))!.Single();

        var response = await alice.DeleteAsync($"/api/users/me/sessions/{bobSession.Id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not-found", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync($"/api/users/me/sessions/{Guid.NewGuid()}")).StatusCode);
    }
}
