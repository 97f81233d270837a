using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 13, against the real `poddle serve`: a backlog of executions and graded submissions, the server killed with
/// SIGKILL while it runs them, and started again on the same data directory. Every one completes: the queued ones wait
/// for the restarted server's language discovery instead of failing as "language not available", and the ones the killed
/// process held are taken back at once instead of after their leases (ten minutes here, so waiting for them would time out).
/// </summary>
public sealed class JobQueueRestartEndToEndTests
{
    private const string AdminPassword = "admin-password-for-e2e";
    private const int Executions = 30;
    private const int Gradings = 6;
    private const string SlowProgram = "import time\ntime.sleep(0.5)\nprint('done')\n";
    private const string HelloPet = "name = input()\nprint(f'Hello, {name}!')\nprint(f'{name} wants a treat.')\n";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task KillDuringABacklog_RestartOnTheSameDataDirectory_EveryQueuedAndHeldJobCompletes(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var root = Directory.CreateTempSubdirectory("poddle-e2e-restart-").FullName;
        var dataDir = Path.Combine(root, "data"); // created by `poddle serve` itself, with its own permissions
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var environment = new Dictionary<string, string?>
        {
            ["PODDLE_DATABASE"] = database.Setting,
            ["PODDLE_ADMIN_PASSWORD"] = AdminPassword,
            ["PODDLE_Auth__PasswordWorkFactor"] = "10",
            ["PODDLE_Execution__Concurrency"] = "2",
            ["PODDLE_Grading__Concurrency"] = "1",
            ["PODDLE_Jobs__LeaseDuration"] = "00:10:00",
            ["PODDLE_Jobs__HeartbeatInterval"] = "00:01:00",

            // The waits below read every job's status on each poll (a request per job): far above a person's rate, so the
            // per-user API limit is lifted; this test is about the queue, not the limits.
            ["PODDLE_RateLimits__ApiPerUser__PermitLimit"] = "1000000",
            ["PODDLE_RateLimits__ApiPerIp__PermitLimit"] = "1000000",
        };
        PoddleProcess? server = null;
        try
        {
            server = PoddleProcess.Start(["serve", "--urls", url, "--data-dir", dataDir], environment);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            await SignInAsAdminAsync(http); // admins are exempt from the execution rate limits

            var executions = new List<Guid>();
            for (var i = 0; i < Executions; i++)
            {
                var submitted = await http.PostAsJsonAsync("/api/execution/submit", new SubmitExecutionRequest("python", SlowProgram));
                Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
                executions.Add((await submitted.Content.ReadFromJsonAsync<ExecutionSubmittedResponse>())!.JobId);
            }

            var gradings = new List<Guid>();
            for (var i = 0; i < Gradings; i++)
            {
                var submitted = await http.PostAsJsonAsync("/api/execution/submit/grade", new GradeSubmissionRequest(HelloPet, "k-hello-pet", "python"));
                Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
                gradings.Add((await submitted.Content.ReadFromJsonAsync<SubmissionResponse>())!.Id);
            }

            // Kill as soon as the first results are in: most of the backlog is queued, a few are held by running workers.
            await WaitUntilAsync(async () => (await ExecutionStatusesAsync(http, executions)).Count(s => s is "completed" or "failed") >= 2, "the first executions finish", server);
            await server.KillWithoutChildrenAsync();
            var atKill = await ExecutionStatusesAsync(http: null, executions, database);
            await server.DisposeAsync();
            Assert.True(atKill.Count(s => s == "queued") >= 10, $"the backlog was mostly queued at the kill: {string.Join(", ", atKill)}");

            server = PoddleProcess.Start(["serve", "--urls", url, "--data-dir", dataDir], environment);
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            await SignInAsAdminAsync(http);
            await WaitUntilAsync(
                async () => (await ExecutionStatusesAsync(http, executions)).All(s => s is "completed" or "failed")
                    && (await SubmissionStatusesAsync(http, gradings)).All(s => s is "completed" or "failed"),
                "every execution and grading finishes",
                server,
                () => SummaryAsync(http, executions, gradings));

            foreach (var id in executions)
            {
                var result = (await http.GetFromJsonAsync<ExecutionResultResponse>($"/api/execution/result/{id}"))!;
                Assert.True(result is { Status: "completed", Verdict: "ok", Stdout: "done\n" }, $"execution {id}: {result.Status} {result.Verdict} {result.Message}");
            }

            foreach (var id in gradings)
            {
                var result = (await http.GetFromJsonAsync<SubmissionResponse>($"/api/submissions/{id}"))!;
                Assert.True(result is { Status: "completed", AllPassed: true }, $"grading {id}: {result.Status} {result.Passed}/{result.Total}");
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            RegisterLoginProjectFlowTests.DeleteQuietly(root);
        }
    }

    private static async Task SignInAsAdminAsync(HttpClient http)
    {
        http.DefaultRequestHeaders.Authorization = null;
        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("admin", AdminPassword));
        login.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
    }

    /// <summary>Each execution's status, through the API, or (the server being dead) from the database.</summary>
    private static async Task<List<string>> ExecutionStatusesAsync(HttpClient? http, IReadOnlyList<Guid> ids, TestDatabase? database = null)
    {
        if (http is not null)
        {
            var statuses = new List<string>();
            foreach (var id in ids)
            {
                statuses.Add((await http.GetFromJsonAsync<ExecutionResultResponse>($"/api/execution/result/{id}"))!.Status);
            }

            return statuses;
        }

        await using var db = database!.CreateContext();
        var rows = await db.Set<Poddle.Core.Executions.Execution>().Where(e => ids.Contains(e.Id)).Select(e => e.Status).ToListAsync();
        return [.. rows.Select(s => s.ToString().ToLowerInvariant())];
    }

    private static async Task<List<string>> SubmissionStatusesAsync(HttpClient http, IReadOnlyList<Guid> ids)
    {
        var statuses = new List<string>();
        foreach (var id in ids)
        {
            statuses.Add((await http.GetFromJsonAsync<SubmissionResponse>($"/api/submissions/{id}"))!.Status);
        }

        return statuses;
    }

    /// <summary>How many executions and gradings ended how ("completed ok: 28, queued: 2 ..."), for a failure message.</summary>
    private static async Task<string> SummaryAsync(HttpClient http, IReadOnlyList<Guid> executions, IReadOnlyList<Guid> gradings)
    {
        var outcomes = new List<string>();
        foreach (var id in executions)
        {
            var result = (await http.GetFromJsonAsync<ExecutionResultResponse>($"/api/execution/result/{id}"))!;
            outcomes.Add($"execution {result.Status} {result.Verdict} {result.Message}".TrimEnd());
        }

        foreach (var id in gradings)
        {
            var result = (await http.GetFromJsonAsync<SubmissionResponse>($"/api/submissions/{id}"))!;
            outcomes.Add($"grading {result.Status} {result.Passed}/{result.Total}");
        }

        return string.Join("; ", outcomes.GroupBy(o => o, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
    }

    // The shared wait, ended early (with the server's stderr) when the server exits.
    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what, PoddleProcess server, Func<Task<string>>? describe = null) =>
        Poll.UntilAsync(
            async () => server.HasExited
                ? throw new Xunit.Sdk.XunitException($"the server exited waiting until {what}.{Environment.NewLine}stderr: {server.Stderr}")
                : await condition(),
            what,
            TimeSpan.FromSeconds(90),
            async () => $"{(describe is null ? "" : await describe())}{Environment.NewLine}stderr: {server.Stderr}");
}
