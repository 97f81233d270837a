using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class ProjectEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateThenList_ReturnsOnlyTheCallersProjects(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");

        var created = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("web-demo", "demo"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var project = await created.Content.ReadFromJsonAsync<ProjectResponse>();
        Assert.Equal("web-demo", project!.Name);

        var mine = await alice.GetFromJsonAsync<List<ProjectResponse>>("/api/projects");
        Assert.Equal(["web-demo"], mine!.Select(p => p.Name));
        var theirs = await bob.GetFromJsonAsync<List<ProjectResponse>>("/api/projects");
        Assert.Empty(theirs!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Get_ProjectOfAnotherUser_Is404(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        var created = await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("secret"))).Content.ReadFromJsonAsync<ProjectResponse>();

        foreach (var response in new[]
        {
            await bob.GetAsync($"/api/projects/{created!.Id}"),
            await bob.PatchAsJsonAsync($"/api/projects/{created.Id}", new UpdateProjectRequest(Description: "mine now")),
            await bob.DeleteAsync($"/api/projects/{created.Id}"),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
            Assert.Equal("not-found", problem!.Code);
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/projects/{created.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_InvalidName_Is400NamingTheFieldAndWritesNothing(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var response = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("Not_A_DNS_Label"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal("urn:poddle:problem:validation", problem!.Type);
        Assert.Contains("name", problem.Errors!.Keys);
        Assert.Empty((await alice.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);
    }
}
