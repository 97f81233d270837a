using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Errors;

public sealed class BadInputTests(SharedServers servers) : IClassFixture<SharedServers>
{
    public static TheoryData<DatabaseProvider, string, string, string, string> MalformedBodies => new()
    {
        // provider, path, body, expected code, expected field
        { DatabaseProvider.Sqlite, "/api/projects", "{\"name\": \"web\", ", "malformed-json", "" },
        { DatabaseProvider.Postgres, "/api/projects", "{\"name\": \"web\", ", "malformed-json", "" },
        { DatabaseProvider.Sqlite, "/api/projects", "{\"name\": 5}", "malformed-json", "name" },
        { DatabaseProvider.Postgres, "/api/projects", "{\"name\": 5}", "malformed-json", "name" },
        { DatabaseProvider.Sqlite, "/api/projects", "{\"name\": {\"x\": 1}}", "malformed-json", "name" },
        { DatabaseProvider.Sqlite, "/api/tokens", "{\"name\": \"ci\", \"expiresInDays\": \"soon\"}", "malformed-json", "expiresInDays" },
        { DatabaseProvider.Postgres, "/api/tokens", "{\"name\": \"ci\", \"expiresInDays\": 1.5}", "malformed-json", "expiresInDays" },
        { DatabaseProvider.Sqlite, "/api/projects", "[]", "malformed-json", "" },
        { DatabaseProvider.Sqlite, "/api/projects", "not json", "malformed-json", "" },
        { DatabaseProvider.Sqlite, "/api/projects", "", "missing-body", "body" },
        { DatabaseProvider.Postgres, "/api/projects", "null", "missing-body", "body" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Post_MalformedOrWronglyTypedJson_Is400ProblemNamingTheFieldAndWritesNothing(DatabaseProvider provider, string path, string body, string code, string field)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("bad-json-" + Guid.NewGuid().ToString("N")[..8]);

        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await AssertProblemAsync(response, code);
        Assert.NotNull(problem.Errors);
        if (field.Length > 0)
        {
            Assert.Contains(field, problem.Errors.Keys);
        }

        Assert.Empty((await client.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);
        Assert.Empty((await client.GetFromJsonAsync<List<ApiTokenResponse>>("/api/tokens"))!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_MissingFields_Is400NamingEachAndWritesNothing(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();
        var usersBefore = await CountUsersAsync(server);

        var response = await client.PostAsync("/api/auth/register", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await AssertProblemAsync(response, "validation");
        Assert.Equal(["email", "password", "username"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(usersBefore, await CountUsersAsync(server));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_OverlongStrings_Are400NamingTheFieldAndWriteNothing(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();
        var usersBefore = await CountUsersAsync(server);

        foreach (var (request, field) in new[]
        {
            (new RegisterRequest(new string('e', 250) + "@x.io", "long-email", "correct-horse-battery"), "email"),
            (new RegisterRequest("long-name@example.test", new string('u', 33), "correct-horse-battery"), "username"),
            (new RegisterRequest("long-pw@example.test", "long-pw", new string('p', 257)), "password"),
            (new RegisterRequest("short-pw@example.test", "short-pw", "short"), "password"),
            (new RegisterRequest("long-dn@example.test", "long-dn", "correct-horse-battery", new string('d', 101)), "displayName"),
        })
        {
            var response = await client.PostAsJsonAsync("/api/auth/register", request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal([field], (await AssertProblemAsync(response, "validation")).Errors!.Keys);
        }

        var login = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(new string('l', 255), "whatever-password"));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Contains("login", (await AssertProblemAsync(login, "validation")).Errors!.Keys);
        var refresh = await client.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(new string('r', 201)));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Contains("refreshToken", (await AssertProblemAsync(refresh, "validation")).Errors!.Keys);
        Assert.Equal(usersBefore, await CountUsersAsync(server));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Post_BodyOverTheLimit_Is413ProblemAndWritesNothing(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("big-body-" + provider.ToString().ToLowerInvariant());
        var huge = "{\"name\": \"big\", \"description\": \"" + new string('d', (1024 * 1024) + 10) + "\"}";

        var response = await client.PostAsync("/api/projects", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblemAsync(response, "payload-too-large");
        Assert.Empty((await client.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);

        // Just under the limit is read, and then rejected by validation (the description is too long), not by size.
        var nearly = "{\"name\": \"big\", \"description\": \"" + new string('d', (1024 * 1024) - 100) + "\"}";
        var underLimit = await client.PostAsync("/api/projects", new StringContent(nearly, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, underLimit.StatusCode);
        Assert.Contains("description", (await AssertProblemAsync(underLimit, "validation")).Errors!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Post_NotJson_Is415Problem(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("text-body-" + provider.ToString().ToLowerInvariant());

        var response = await client.PostAsync("/api/projects", new StringContent("name=web", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertProblemAsync(response, "unsupported-media-type");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Post_JsonWithUnknownCharset_Is415ProblemOnEveryEndpointAndWritesNothing(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("charset-" + provider.ToString().ToLowerInvariant());
        using var anonymous = server.CreateClient();
        var cases = new (HttpClient Client, string Path, string Body)[]
        {
            (anonymous, "/api/auth/login", """{"login": "nobody", "password": "whatever-password"}"""),
            (anonymous, "/api/auth/register", """{"email": "cs@example.test", "username": "cs-user", "password": "correct-horse-battery"}"""),
            (client, "/api/projects", """{"name": "web"}"""),
            (client, "/api/tokens", """{"name": "ci"}"""),
            (client, "/api/execution/submit", """{"language": "python", "code": "print(1)"}"""),
            (client, "/api/v2/execute", """{"language": "python", "version": "*", "files": [{"content": "print(1)"}]}"""),
        };

        foreach (var (caller, path, body) in cases)
        {
            foreach (var contentType in new[] { "application/json; charset=bogus", "application/problem+json; charset=\"no-such-encoding\"" })
            {
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

                var response = await caller.PostAsync(path, content);

                Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{path} with {contentType}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                var problem = await AssertProblemAsync(response, "unsupported-media-type");
                Assert.Contains("body", problem.Errors!.Keys);
            }
        }

        Assert.Empty((await client.GetFromJsonAsync<List<ProjectResponse>>("/api/projects"))!);
        Assert.Empty((await client.GetFromJsonAsync<List<ApiTokenResponse>>("/api/tokens"))!);

        // A charset the server knows is read as declared (UTF-16 here), so the charset parameter is honoured, not ignored.
        using var utf16 = new StringContent("""{"name": "web-16"}""", Encoding.Unicode, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/projects", utf16)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UnknownRoute_Is404Problem_AndWrongMethodIs405Problem(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("routes-" + provider.ToString().ToLowerInvariant());

        var unknown = await client.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await AssertProblemAsync(unknown, "not-found");

        var anonymousUnknown = await server.CreateClient().GetAsync("/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, anonymousUnknown.StatusCode);
        await AssertProblemAsync(anonymousUnknown, "not-found");

        var wrongMethod = await client.PutAsJsonAsync("/api/projects", new CreateProjectRequest("web"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        await AssertProblemAsync(wrongMethod, "method-not-allowed");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.GetAsync("/api/auth/login")).StatusCode);
    }

    private static async Task<ProblemResponse> AssertProblemAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal(code, problem.Code);
        Assert.Equal("urn:poddle:problem:" + code, problem.Type);
        Assert.Equal((int)response.StatusCode, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.False(string.IsNullOrEmpty(problem.RequestId));
        return problem;
    }

    private static async Task<int> CountUsersAsync(TestServer server)
    {
        await using var db = server.Database.CreateContext();
        return await db.Users.CountAsync();
    }
}
