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

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Crud_CreateGetRenameDelete_Roundtrips(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var created = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("api", "  the API  "));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var project = (await created.Content.ReadFromJsonAsync<ProjectResponse>())!;
        Assert.Equal($"/api/projects/{project.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal("the API", project.Description);
        Assert.Equal(project, await alice.GetFromJsonAsync<ProjectResponse>($"/api/projects/{project.Id}"));

        var renamed = await alice.PatchAsJsonAsync($"/api/projects/{project.Id}", new UpdateProjectRequest(Name: "api-v2"));
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var after = (await renamed.Content.ReadFromJsonAsync<ProjectResponse>())!;
        Assert.Equal("api-v2", after.Name);
        Assert.Equal("the API", after.Description);
        Assert.True(after.UpdatedAt >= project.UpdatedAt);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/projects/{project.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/projects/{project.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync($"/api/projects/{project.Id}")).StatusCode);
        Assert.Empty((await alice.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateOrRename_NameTakenByTheSameOwner_Is409_ButAnotherOwnerMayUseIt(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        Assert.Equal(HttpStatusCode.Created, (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("web"))).StatusCode);
        var other = (await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("other"))).Content.ReadFromJsonAsync<ProjectResponse>())!;

        var duplicate = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("web"));
        var rename = await alice.PatchAsJsonAsync($"/api/projects/{other.Id}", new UpdateProjectRequest(Name: "web"));

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("project-name-taken", (await duplicate.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.Equal(HttpStatusCode.Conflict, rename.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await bob.PostAsJsonAsync("/api/projects", new CreateProjectRequest("web"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_NamesAreValidatedAsDnsLabels(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        foreach (var valid in new[] { "a", "a-1", "9lives", new string('x', 63) })
        {
            Assert.Equal(HttpStatusCode.Created, (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest(valid))).StatusCode);
        }

        foreach (var invalid in new[] { "", "-a", "a-", "Web", "a_b", "a.b", "a b", "é", new string('x', 64), null })
        {
            var response = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest(invalid));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("name", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        }

        Assert.Equal(4, (await alice.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Patch_InvalidNameOrOverlongDescription_Is400AndChangesNothing(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var project = (await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("keep", "kept"))).Content.ReadFromJsonAsync<ProjectResponse>())!;

        var badName = await alice.PatchAsJsonAsync($"/api/projects/{project.Id}", new UpdateProjectRequest(Name: "Not Valid", Description: "changed"));
        var longDescription = await alice.PatchAsJsonAsync($"/api/projects/{project.Id}", new UpdateProjectRequest(Description: new string('d', 501)));

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("name", (await badName.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, longDescription.StatusCode);
        Assert.Contains("description", (await longDescription.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        Assert.Equal(project, await alice.GetFromJsonAsync<ProjectResponse>($"/api/projects/{project.Id}"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Projects_WithoutAToken_Is401_AndAnUnknownOrMalformedIdIs404(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/projects", new CreateProjectRequest("x"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/projects/{Guid.NewGuid()}")).StatusCode);
        var malformed = await alice.GetAsync("/api/projects/not-a-guid");
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal("not-found", (await malformed.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }
}
