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
}
