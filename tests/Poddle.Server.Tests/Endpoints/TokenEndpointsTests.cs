using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class TokenEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_ShowsTheSecretOnce_ItWorksAsBearer_AndOnlyItsHashIsStored(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("tokener");

        var response = await client.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("laptop", 30));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!;
        Assert.StartsWith("pdl_", created.Token, StringComparison.Ordinal);
        Assert.StartsWith(created.Prefix, created.Token, StringComparison.Ordinal);
        var listed = await client.GetStringAsync("/api/tokens");
        Assert.Contains("laptop", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Token, listed, StringComparison.Ordinal);

        using var cli = server.CreateClient(created.Token);
        Assert.Equal("tokener", (await cli.GetFromJsonAsync<UserResponse>("/api/auth/me"))!.Username);
        Assert.Equal(HttpStatusCode.Created, (await cli.PostAsJsonAsync("/api/projects", new CreateProjectRequest("from-cli"))).StatusCode);

        await using var db = server.Database.CreateContext();
        var stored = await db.ApiTokens.SingleAsync(t => t.Id == created.Id);
        Assert.NotEqual(created.Token, stored.TokenHash);
        Assert.Equal(64, stored.TokenHash.Length);
        Assert.False(await db.ApiTokens.AnyAsync(t => t.TokenHash == created.Token));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Revoke_StopsTheTokenAtOnce_AndDropsItFromTheList(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("revoke-tok");
        var created = (await (await client.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!;
        using var cli = server.CreateClient(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/projects")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/tokens/{created.Id}")).StatusCode);

        var rejected = await cli.GetAsync("/api/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal("invalid-token", (await rejected.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Empty((await client.GetFromJsonAsync<List<ApiTokenResponse>>("/api/tokens"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/tokens/{created.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Revoke_TokenOfAnotherUser_Is404AndItKeepsWorking(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (alice, _) = await server.CreateUserAsync("tok-alice");
        var (bob, _) = await server.CreateUserAsync("tok-bob");
        var bobs = (await (await bob.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!;

        var response = await alice.DeleteAsync($"/api/tokens/{bobs.Id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty((await alice.GetFromJsonAsync<List<ApiTokenResponse>>("/api/tokens"))!);
        using var cli = server.CreateClient(bobs.Token);
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_InvalidNameOrLifetime_Is400NamingTheFieldAndWritesNothing(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("bad-tok");

        foreach (var (request, field) in new[]
        {
            (new CreateApiTokenRequest(null), "name"),
            (new CreateApiTokenRequest("  "), "name"),
            (new CreateApiTokenRequest(new string('n', 65)), "name"),
            (new CreateApiTokenRequest("ci", 0), "expiresInDays"),
            (new CreateApiTokenRequest("ci", 3651), "expiresInDays"),
        })
        {
            var response = await client.PostAsJsonAsync("/api/tokens", request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        }

        Assert.Empty((await client.GetFromJsonAsync<List<ApiTokenResponse>>("/api/tokens"))!);
    }
}
