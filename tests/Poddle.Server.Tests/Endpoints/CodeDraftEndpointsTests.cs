using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>GET/PUT/DELETE /api/problems/{id}/draft through real HTTP: the caller's own drafts only.</summary>
public sealed class CodeDraftEndpointsTests(GradingServers servers) : IClassFixture<GradingServers>
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Draft_SavedReadAndDeleted_OnlyByItsOwner(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var suffix = provider.ToString().ToLowerInvariant();
        var (student, _) = await server.CreateUserAsync("drafter-" + suffix);
        var (other, _) = await server.CreateUserAsync("peeker-" + suffix);
        using (student)
        using (other)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(student, HttpMethod.Get, "/api/problems/secret-add/draft")).Status);

            var saved = await SendAsync(student, HttpMethod.Put, "/api/problems/secret-add/draft", new SaveCodeDraftRequest("def add(a, b):\n    return 0\n", null));
            Assert.Equal(HttpStatusCode.OK, saved.Status);
            Assert.Equal(("secret-add", "python"), ((string)saved.Body!["problemId"]!, (string)saved.Body["language"]!));

            var again = await SendAsync(student, HttpMethod.Put, "/api/problems/secret-add/draft", new SaveCodeDraftRequest("def add(a, b):\n    return a\n", "py"));
            Assert.Equal(HttpStatusCode.OK, again.Status);
            var read = await SendAsync(student, HttpMethod.Get, "/api/problems/secret-add/draft?language=python");
            Assert.Equal((HttpStatusCode.OK, "def add(a, b):\n    return a\n"), (read.Status, (string)read.Body!["code"]!));

            // Another user's draft is not found, and deleting theirs leaves it alone.
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(other, HttpMethod.Get, "/api/problems/secret-add/draft")).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(other, HttpMethod.Delete, "/api/problems/secret-add/draft")).Status);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(student, HttpMethod.Get, "/api/problems/secret-add/draft")).Status);

            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(student, HttpMethod.Delete, "/api/problems/secret-add/draft")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(student, HttpMethod.Get, "/api/problems/secret-add/draft")).Status);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Put_OverTheLimitUnknownProblemOrLanguage_Refused(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (student, _) = await server.CreateUserAsync("limits-" + provider.ToString().ToLowerInvariant());
        using (student)
        {
            var big = await SendAsync(student, HttpMethod.Put, "/api/problems/secret-add/draft", new SaveCodeDraftRequest(new string('x', 64 * 1024 + 1), null));
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "code"), (big.Status, big.Body!["errors"]!.AsObject().Single().Key));

            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(student, HttpMethod.Put, "/api/problems/no-such-problem/draft", new SaveCodeDraftRequest("x", null))).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(student, HttpMethod.Put, "/api/problems/archived-add/draft", new SaveCodeDraftRequest("x", null))).Status);

            var language = await SendAsync(student, HttpMethod.Put, "/api/problems/secret-add/draft", new SaveCodeDraftRequest("x", "cobol-1959"));
            Assert.Equal((HttpStatusCode.BadRequest, "language"), (language.Status, language.Body!["errors"]!.AsObject().Single().Key));

            var missing = await SendAsync(student, HttpMethod.Put, "/api/problems/secret-add/draft", new SaveCodeDraftRequest(null, null));
            Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        }
    }
}
