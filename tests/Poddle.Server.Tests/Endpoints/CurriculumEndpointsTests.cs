using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>Levels, sessions, cheatsheets and problem reads over real HTTP, on the starter curriculum the server loaded at start.</summary>
public sealed class CurriculumEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Levels_AgeGroup_AnswersLevelsSessionsAndProblemsInOrder(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("levels-" + provider.ToString().ToLowerInvariant());
        var starter = CurriculumLoader.LoadStarter();

        var levels = (await client.GetFromJsonAsync<List<LevelResponse>>("/api/levels/11-14"))!;

        var shipped = starter.Levels.Where(l => l.AgeGroup == "11-14").ToList();
        Assert.Equal(shipped.Select(l => (l.Number, l.Title)), levels.Select(l => (l.Number, l.Title)));
        Assert.Equal(shipped.SelectMany(l => l.Sessions), levels.SelectMany(l => l.Sessions.Select(s => s.Name)));
        var first = levels[0].Sessions[0];
        Assert.Equal(CurriculumSnapshot.SessionId("11-14", 1, shipped[0].Sessions[0]), first.Id);
        Assert.Equal((1, "11-14", 1), (first.Order, first.AgeGroup, first.Level));
        Assert.Equal(
            starter.Problems.Where(p => p.AgeGroup == "11-14").Select(p => p.Id),
            levels.SelectMany(l => l.Sessions).SelectMany(s => s.Problems).Select(p => p.Id));

        var session = (await client.GetFromJsonAsync<CurriculumSessionResponse>($"/api/sessions/{first.Id}"))!;
        Assert.Equal(first.Problems.Select(p => p.Id), session.Problems.Select(p => p.Id));

        var cheatsheet = (await client.GetFromJsonAsync<CheatsheetResponse>("/api/levels/15-18/2/cheatsheet"))!;
        var level = starter.Levels.Single(l => l.AgeGroup == "15-18" && l.Number == 2);
        Assert.Equal((level.Title, level.Cheatsheet), (cheatsheet.Title, cheatsheet.Markdown));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Problems_ListFiltersAndGet_AnswerTheStarterProblems(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("reader-" + provider.ToString().ToLowerInvariant());
        var starter = CurriculumLoader.LoadStarter();

        var all = (await client.GetFromJsonAsync<List<ProblemSummaryResponse>>("/api/problems?ageGroup=15-18"))!;
        Assert.Equal(starter.Problems.Where(p => p.AgeGroup == "15-18").Select(p => p.Id), all.Select(p => p.Id));

        var level2 = (await client.GetFromJsonAsync<List<ProblemSummaryResponse>>("/api/problems?ageGroup=11-14&level=2"))!;
        Assert.Equal(starter.Problems.Where(p => p.AgeGroup == "11-14" && p.Level == 2).Select(p => p.Id), level2.Select(p => p.Id));

        var tag = starter.Problems[0].Tags[0];
        var tagged = (await client.GetFromJsonAsync<List<ProblemSummaryResponse>>($"/api/problems?tag={Uri.EscapeDataString(tag)}"))!;
        Assert.Equal(starter.Problems.Where(p => p.Tags.Contains(tag)).Select(p => p.Id).Order(), tagged.Select(p => p.Id).Order());

        var kAdd = starter.FindProblem("k-add")!;
        var sessionId = CurriculumSnapshot.SessionId(kAdd.AgeGroup, kAdd.Level, kAdd.Session);
        var bySession = (await client.GetFromJsonAsync<List<ProblemSummaryResponse>>($"/api/problems?session={sessionId}"))!;
        Assert.Contains(bySession, p => p.Id == "k-add");
        Assert.All(bySession, p => Assert.Equal(sessionId, p.SessionId));

        var problem = (await client.GetFromJsonAsync<CurriculumProblemResponse>("/api/problems/k-add"))!;
        Assert.Equal((kAdd.Title, kAdd.Statement, kAdd.StarterCode, "starter", 1, false), (problem.Title, problem.Statement, problem.StarterCode, problem.Origin, problem.Version, problem.Archived));
        Assert.Equal((kAdd.Tests.Count(t => !t.Hidden), kAdd.Tests.Count(t => t.Hidden)), (problem.PublicTests, problem.HiddenTests));

        var tests = (await client.GetFromJsonAsync<List<TestCaseResponse>>("/api/problems/k-add/tests"))!;
        Assert.Equal(kAdd.Tests.Select((t, i) => (t, i)).Where(x => !x.t.Hidden).Select(x => x.i), tests.Select(t => t.Index));
        Assert.All(tests, t => Assert.False(t.Hidden));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UnknownIdsAndAnonymousCallers_Are404And401(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (client, _) = await server.CreateUserAsync("lost-" + provider.ToString().ToLowerInvariant());

        foreach (var path in new[]
        {
            "/api/problems/no-such-problem", "/api/problems/no-such-problem/tests", "/api/problems/no-such-problem/export",
            "/api/levels/99-100", "/api/levels/11-14/9/cheatsheet", "/api/sessions/11-14-1-no-such-session",
        })
        {
            var response = await client.GetAsync(path);
            Assert.True(HttpStatusCode.NotFound == response.StatusCode, path);
            Assert.Equal("not-found", (await CurriculumTestKit.ProblemAsync(response)).Code);
        }

        using var anonymous = server.CreateClient();
        foreach (var path in new[] { "/api/problems", "/api/problems/k-add", "/api/levels/11-14", "/api/sessions/x", "/api/levels/11-14/1/cheatsheet" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        }
    }
}
