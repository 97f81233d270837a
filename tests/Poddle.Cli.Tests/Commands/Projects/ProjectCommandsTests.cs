using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Projects;

public sealed class ProjectCommandsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateListRemove_ShowsProjectsAsTableAndJson(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var created = await cli.RunAsync("projects", "create", "web-demo", "--description", "the demo");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Created project web-demo", created.Stdout, StringComparison.Ordinal);

        var table = await cli.RunAsync("projects", "ls");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("NAME", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("web-demo", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("the demo", table.Stdout, StringComparison.Ordinal);

        var json = await cli.RunAsync("projects", "ls", "--json");
        Assert.Equal(0, json.ExitCode);
        var projects = JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.IReadOnlyListProjectResponse)!;
        Assert.Equal(["web-demo"], projects.Select(p => p.Name));

        var removed = await cli.RunAsync("projects", "rm", "web-demo");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var empty = await cli.RunAsync("projects", "ls", "--json");
        Assert.Empty(JsonSerializer.Deserialize(empty.Stdout, PoddleJsonContext.Default.IReadOnlyListProjectResponse)!);
    }

    [Fact]
    public async Task Create_Json_PutsOnlyTheJsonDocumentOnStdout()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("projects", "create", "api", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Equal("api", document.RootElement.GetProperty("name").GetString());
        Assert.True(Guid.TryParse(document.RootElement.GetProperty("id").GetString(), out _));
    }

    [Fact]
    public async Task Create_InvalidName_ExitsOneAndNamesTheField()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("projects", "create", "Not_A_DNS_Label", "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains("name:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_UnknownName_ExitsOneAndSaysHowToList()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("projects", "rm", "nothing-here");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("poddle projects ls", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_SeesProjectsCreatedThroughTheApi()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");
        var (api, _) = await SignInAsync(server, "alice");
        using (api)
        {
            (await api.PostAsJsonAsync("/api/projects", new CreateProjectRequest("from-api"))).EnsureSuccessStatusCode();
        }

        var run = await cli.RunAsync("projects", "ls");

        Assert.Contains("from-api", run.Stdout, StringComparison.Ordinal);
    }

    private static async Task<(HttpClient Client, TokenResponse Tokens)> SignInAsync(TestServer server, string username)
    {
        using var anonymous = server.CreateClient();
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, "correct-horse-battery"));
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        return (server.CreateClient(tokens.AccessToken), tokens);
    }
}
