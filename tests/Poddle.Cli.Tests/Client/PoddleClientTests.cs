using Poddle.Cli.Tests;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Client.Tests;

/// <summary>The typed client against the real server (these live in the CLI's test project, its only consumer).</summary>
public sealed class PoddleClientTests
{
    [Fact]
    public async Task RegisterLoginProjects_RoundTripThroughTheContracts()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);
        var anonymous = new PoddleClient(http);

        var user = await anonymous.RegisterAsync(new RegisterRequest("carol@example.test", "carol", "correct-horse-battery"));
        var tokens = await anonymous.LoginAsync(new LoginRequest("carol", "correct-horse-battery"));
        var carol = anonymous.WithToken(tokens.AccessToken);
        var project = await carol.CreateProjectAsync(new CreateProjectRequest("alpha", "first"));
        var renamed = await carol.UpdateProjectAsync(project.Id, new UpdateProjectRequest(Name: "beta"));

        Assert.Equal("carol", (await carol.GetMeAsync()).Username);
        Assert.Equal(user.Id, tokens.User.Id);
        Assert.Equal("beta", renamed.Name);
        Assert.Equal(["beta"], (await carol.ListProjectsAsync()).Select(p => p.Name));
        Assert.Single(await carol.ListSessionsAsync());

        await carol.DeleteProjectAsync(project.Id);
        Assert.Empty(await carol.ListProjectsAsync());
    }

    [Fact]
    public async Task ValidationProblem_BecomesApiExceptionWithFieldsAndRequestId()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<PoddleApiException>(() => new PoddleClient(http).RegisterAsync(new RegisterRequest("nope", "x", "short")));

        Assert.Equal(400, ex.Status);
        Assert.Equal("validation", ex.Code);
        Assert.Contains("email", ex.FieldErrors.Keys);
        Assert.Contains("password", ex.FieldErrors.Keys);
        Assert.False(string.IsNullOrEmpty(ex.RequestId));
    }

    [Fact]
    public async Task MissingToken_Is401Unauthenticated()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<PoddleApiException>(() => new PoddleClient(http).ListProjectsAsync());

        Assert.Equal(401, ex.Status);
        Assert.Equal("unauthenticated", ex.Code);
    }

    [Fact]
    public async Task OtherUsersProject_Is404NotFound()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        var (_, alice) = await server.CreateUserAsync("alice");
        var (_, bob) = await server.CreateUserAsync("bob");
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);
        var project = await new PoddleClient(http, alice.AccessToken).CreateProjectAsync(new CreateProjectRequest("mine"));

        var ex = await Assert.ThrowsAsync<PoddleApiException>(() => new PoddleClient(http, bob.AccessToken).GetProjectAsync(project.Id));

        Assert.Equal(404, ex.Status);
        Assert.Equal("not-found", ex.Code);
    }

    [Fact]
    public async Task NoServer_BecomesConnectionExceptionNamingTheAddress()
    {
        var address = new Uri($"http://127.0.0.1:{CliAppTests.ClosedPort()}/");
        using var http = PoddleClient.CreateHttpClient(address);

        var ex = await Assert.ThrowsAsync<PoddleConnectionException>(() => new PoddleClient(http).GetMeAsync());

        Assert.Equal(address, ex.Server);
        Assert.Equal("connection refused", ex.Reason);
    }
}
