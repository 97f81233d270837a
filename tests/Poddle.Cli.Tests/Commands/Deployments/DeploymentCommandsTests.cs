using System.Text.Json;
using Poddle.Contracts;

namespace Poddle.Cli.Tests.Commands.Deployments;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class DeploymentCommandsTests : IAsyncLifetime
{
    private FakeDeploymentApi _api = null!;
    private CliRunner _cli = null!;
    private string _dir = null!;
    private ProjectResponse _project = null!;
    private FakeDeploymentApi.Deployment _web = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeDeploymentApi.StartAsync();
        _cli = new CliRunner(_api.BaseAddress);
        _cli.Variables[CliEnvironment.TokenVariable] = FakeDeploymentApi.Token;
        _dir = Directory.CreateTempSubdirectory("poddle-cwd-").FullName;
        _cli.WorkingDirectory = _dir;
        _project = _api.AddProject("demo");
        _web = _api.AddDeployment(_project, "web", replicas: 2);
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        Directory.Delete(_dir, recursive: true);
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Ps_TableAndJson()
    {
        _api.AddDeployment(_project, "api", replicas: 1, driver: "docker");

        var table = await _cli.RunAsync("ps");
        var json = await _cli.RunAsync("ps", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("NAME", StringComparison.Ordinal) && l.Contains("READY", StringComparison.Ordinal) && l.Contains("AGE", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("web", StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal)
            && l.Contains("2/2", StringComparison.Ordinal) && l.Contains("http://web-demo.localhost:8080", StringComparison.Ordinal) && l.Contains("2h", StringComparison.Ordinal));
        Assert.Equal(["api", "web"], JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!.Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ps_HealthColumn_CountsReplicasPerAgentStatusWorstFirst()
    {
        _web.ReplicaHealth = ["healthy", "lost"];
        _api.AddDeployment(_project, "api", replicas: 1);

        var table = await _cli.RunAsync("ps");

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("HEALTH", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("web", StringComparison.Ordinal) && l.Contains("1 lost, 1 healthy", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("api", StringComparison.Ordinal) && l.Contains(" - ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ps_ProjectFromPoddleTomlInTheWorkingDirectory_AndAmbiguity()
    {
        var other = _api.AddProject("other");
        _api.AddDeployment(other, "worker");

        var ambiguous = await _cli.RunAsync("ps");
        var flagged = await _cli.RunAsync("ps", "--project", "other", "--json");
        File.WriteAllText(Path.Combine(_dir, "poddle.toml"), "project = \"other\"\n");
        var fromFile = await _cli.RunAsync("ps", "--json");
        var byId = await _cli.RunAsync("ps", "-p", _project.Id.ToString(), "--json");

        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("say which with --project NAME", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Equal(["worker"], JsonSerializer.Deserialize(flagged.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!.Select(d => d.Name));
        Assert.Equal(["worker"], JsonSerializer.Deserialize(fromFile.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!.Select(d => d.Name));
        Assert.Equal(["web"], JsonSerializer.Deserialize(byId.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!.Select(d => d.Name));
    }

    [Fact]
    public async Task UnknownName_SaysWhatThereIs_AndAnIdWorksToo()
    {
        var unknown = await _cli.RunAsync("events", "nope");
        var projectLookups = _api.RequestsTo("GET", "/api/projects.*").Count();
        var byId = await _cli.RunAsync("events", _web.Id.ToString(), "--json");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Project demo has no deployment named 'nope'. It has: web", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, byId.ExitCode);
        Assert.Equal(projectLookups, _api.RequestsTo("GET", "/api/projects.*").Count()); // an id needs no project
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(byId.Stdout).RootElement.ValueKind);
    }

    [Fact]
    public async Task Logs_TailAndSince_PrintLinesAndJson()
    {
        // UUIDv7s made together share their first digits; the short id is the random tail the server sends.
        var replica = Guid.Parse("0198c3a2-7b1e-7c3d-8f2a-4f2aabcdef01");
        var now = DateTimeOffset.UtcNow;
        _api.Logs.Add(new LogLineResponse(replica, now.AddHours(-1), "stdout", "old", "abcdef01"));
        _api.Logs.Add(new LogLineResponse(replica, now.AddSeconds(-30), "stdout", "listening on 8080", "abcdef01"));
        _api.Logs.Add(new LogLineResponse(replica, now.AddSeconds(-10), "stderr", "warning: slow", "abcdef01"));

        var text = await _cli.RunAsync("logs", "web", "--since", "10m");
        var json = await _cli.RunAsync("logs", "web", "--tail", "1", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("abcdef01 | listening on 8080", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("abcdef01 ! warning: slow", text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("old", text.Stdout, StringComparison.Ordinal);
        var queries = _api.RequestsTo("GET", $"/api/deployments/{_web.Id}/logs").Select(r => r.Query).ToList();
        Assert.StartsWith("?tail=100&since=", queries[0], StringComparison.Ordinal);
        Assert.Equal("?tail=1", queries[1]);
        Assert.Equal(["warning: slow"], JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.IReadOnlyListLogLineResponse)!.Select(l => l.Text));
    }

    [Fact]
    public async Task LogsFollow_PrintsTheTailThenTheStreamWithoutRepeats()
    {
        var replica = Guid.NewGuid();
        var t = DateTimeOffset.UtcNow.AddSeconds(-5);
        var backlog = new LogLineResponse(replica, t, "stdout", "backlog");
        _api.Logs.Add(backlog);
        _api.StreamChunks.Add(": hello\n\n");
        _api.StreamChunks.Add("event: log\ndata: " + JsonSerializer.Serialize(backlog, PoddleJsonContext.Default.LogLineResponse) + "\n\n");
        _api.StreamChunks.Add("event: log\ndata: " + JsonSerializer.Serialize(new LogLineResponse(replica, t.AddSeconds(1), "stdout", "live"), PoddleJsonContext.Default.LogLineResponse) + "\n\n");

        var run = await _cli.RunAsync("logs", "web", "-f", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize(l, PoddleJsonContext.Default.LogLineResponse)!.Text);
        Assert.Equal(["backlog", "live"], lines);
        Assert.Single(_api.RequestsTo("GET", $"/api/deployments/{_web.Id}/logs/stream"));
    }

    [Fact]
    public async Task LogsFollow_CtrlC_StopsWithExitCode130()
    {
        _api.KeepStreamOpen = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var run = await _cli.RunCancellableAsync(cts.Token, "logs", "web", "-f").WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(130, run.ExitCode);
    }

    [Fact]
    public async Task Logs_ReplicasStartedTogether_AreToldApartByTheShortIdThatPsAndEventsShowToo()
    {
        var now = DateTimeOffset.UtcNow;
        var (first, second) = (FakeDeploymentApi.Deployment.ReplicaId(0), FakeDeploymentApi.Deployment.ReplicaId(1));
        var (firstShort, secondShort) = (FakeDeploymentApi.Deployment.ShortIdOf(first), FakeDeploymentApi.Deployment.ShortIdOf(second));
        _api.Logs.Add(new LogLineResponse(first, now.AddSeconds(-3), "stdout", "first says hi", firstShort));
        _api.Logs.Add(new LogLineResponse(second, now.AddSeconds(-2), "stdout", "second says hi", secondShort));
        _web.Events.Add(new DeploymentEventResponse(Guid.NewGuid(), second, "Warning", "ProbeFailed", "probe failed", $"replica {secondShort}: connection refused (1/3)", 1, now, now, secondShort));

        var logs = await _cli.RunAsync("logs", "web");
        var onlySecond = await _cli.RunAsync("logs", "web", "--replica", secondShort);
        var unknown = await _cli.RunAsync("logs", "web", "--replica", "deadbeef");
        var ps = await _cli.RunAsync("ps", "web");
        var events = await _cli.RunAsync("events", "web");

        Assert.NotEqual(firstShort, secondShort);
        Assert.Contains($"{firstShort} | first says hi", logs.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{secondShort} | second says hi", logs.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("first says hi", onlySecond.Stdout, StringComparison.Ordinal);
        Assert.Contains("second says hi", onlySecond.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains($"Its replicas: {firstShort}, {secondShort}", unknown.Stderr, StringComparison.Ordinal);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        Assert.Contains("REPLICA", ps.Stdout, StringComparison.Ordinal);
        Assert.Contains(ps.Stdout.Split('\n'), l => l.Contains(firstShort, StringComparison.Ordinal) && l.Contains("running", StringComparison.Ordinal) && l.Contains("yes", StringComparison.Ordinal));
        Assert.Contains(ps.Stdout.Split('\n'), l => l.Contains(secondShort, StringComparison.Ordinal));
        Assert.Contains("REPLICA", events.Stdout, StringComparison.Ordinal);
        Assert.Contains(secondShort, events.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_TableAndJson()
    {
        _web.AddEvent("warning", "ProbeFailed", "GET /healthz: 503");

        var table = await _cli.RunAsync("events", "web");
        var json = await _cli.RunAsync("events", "web", "--json");

        Assert.Contains("ProbeFailed", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("GET /healthz: 503", table.Stdout, StringComparison.Ordinal);
        Assert.Equal("ProbeFailed", Assert.Single(JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse)!).Reason);
    }

    [Fact]
    public async Task ScaleRestartRollback_RequestShapes()
    {
        var scale = await _cli.RunAsync("scale", "web", "5");
        var restart = await _cli.RunAsync("restart", "web");
        var rollback = await _cli.RunAsync("rollback", "web", "--revision", "1", "--json");
        var negative = await _cli.RunAsync("scale", "web", "--", "-1");
        var tooMany = await _cli.RunAsync("scale", "web", "50");

        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Contains("Scaling web from 2 to 5 replicas", scale.Stdout, StringComparison.Ordinal);
        Assert.Equal(["{\"replicas\":5}", "{\"replicas\":50}"], _api.RequestsTo("PATCH", $"/api/deployments/{_web.Id}/scale").Select(r => r.Body));
        Assert.Equal(0, restart.ExitCode);
        Assert.Single(_api.RequestsTo("POST", $"/api/deployments/{_web.Id}/restart"));
        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal("{\"revision\":1}", Assert.Single(_api.RequestsTo("POST", $"/api/deployments/{_web.Id}/rollback")).Body);
        Assert.Equal(2, JsonSerializer.Deserialize(rollback.Stdout, PoddleJsonContext.Default.DeploymentResponse)!.Revision);
        Assert.Equal(2, negative.ExitCode);
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("replicas: Between 0 and 10 on your tier.", tooMany.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rm_AsksForYesOutsideATerminal()
    {
        var refused = await _cli.RunAsync("rm", "web");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("pass --yes", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.RequestsTo("DELETE", ".*"));

        var removed = await _cli.RunAsync("rm", "web", "--yes");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Single(_api.RequestsTo("DELETE", $"/api/deployments/{_web.Id}"));
        Assert.Empty(_api.Deployments);
    }

    [Fact]
    public async Task Env_SetUnsetLs()
    {
        var set = await _cli.RunAsync("env", "set", "web", "A=1", "B=two words");
        var unset = await _cli.RunAsync("env", "unset", "web", "GREETING");
        var ls = await _cli.RunAsync("env", "ls", "web");
        var json = await _cli.RunAsync("env", "ls", "web", "--json");
        var bad = await _cli.RunAsync("env", "set", "web", "NOVALUE");

        Assert.True(set.ExitCode == 0, set.ToString());
        var patches = _api.RequestsTo("PATCH", $"/api/deployments/{_web.Id}").Select(r => r.Body).ToList();
        Assert.Equal(["{\"env\":{\"A\":\"1\",\"B\":\"two words\"}}", "{\"env\":{\"GREETING\":null}}"], patches);
        Assert.Contains("rolling out revision 2", set.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, unset.ExitCode);
        Assert.Contains("two words", ls.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("GREETING", ls.Stdout, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words" }, JsonSerializer.Deserialize<Dictionary<string, string>>(json.Stdout));
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Secrets_SetFromValueOrEnvironment_LsShowsKeysOnly_Rm()
    {
        _cli.Variables["STRIPE_KEY"] = "sk_live_from_env";

        var set = await _cli.RunAsync("secrets", "set", "web", "DB_PASSWORD=pa55word", "STRIPE_KEY");
        var ls = await _cli.RunAsync("secrets", "ls", "web");
        var json = await _cli.RunAsync("secrets", "ls", "web", "--json");
        var rm = await _cli.RunAsync("secrets", "rm", "web", "API_KEY");
        var rmUnknown = await _cli.RunAsync("secrets", "rm", "web", "NOT_THERE");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("pa55word", _web.Secrets["DB_PASSWORD"]);
        Assert.Equal("sk_live_from_env", _web.Secrets["STRIPE_KEY"]);
        var all = string.Concat(new[] { set, ls, json, rm }.Select(r => r.Stdout + r.Stderr));
        Assert.DoesNotContain("pa55word", all, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_from_env", all, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", all, StringComparison.Ordinal);
        Assert.Equal(["API_KEY", "DB_PASSWORD", "STRIPE_KEY"], ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(["API_KEY", "DB_PASSWORD", "STRIPE_KEY"], JsonSerializer.Deserialize<string[]>(json.Stdout)!);
        Assert.Equal(0, rm.ExitCode);
        Assert.False(_web.Secrets.ContainsKey("API_KEY"));
        Assert.Equal(1, rmUnknown.ExitCode);
        Assert.Contains("poddle secrets ls web", rmUnknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Domains_AddLsVerifyRm()
    {
        var add = await _cli.RunAsync("domains", "add", "web", "www.example.com");
        var ls = await _cli.RunAsync("domains", "ls", "web");
        var notYet = await _cli.RunAsync("domains", "verify", "web", "www.example.com");
        _api.PublishedTxt.Add("www.example.com");
        var verified = await _cli.RunAsync("domains", "verify", "web", "WWW.example.com.", "--json");
        var rm = await _cli.RunAsync("domains", "rm", "web", "www.example.com");
        var rmAgain = await _cli.RunAsync("domains", "rm", "web", "www.example.com");

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal("{\"hostname\":\"www.example.com\"}", Assert.Single(_api.RequestsTo("POST", $"/api/deployments/{_web.Id}/domains")).Body);
        Assert.Contains("_poddle-challenge.www.example.com  TXT", add.Stdout, StringComparison.Ordinal);
        Assert.Contains("poddle domains verify web www.example.com", add.Stdout, StringComparison.Ordinal);
        Assert.Contains("www.example.com", ls.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, notYet.ExitCode);
        Assert.Contains("is not verified yet: publish _poddle-challenge.www.example.com TXT", notYet.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, verified.ExitCode);
        Assert.True(JsonSerializer.Deserialize(verified.Stdout, PoddleJsonContext.Default.DomainResponse)!.Verified);
        Assert.Equal(0, rm.ExitCode);
        Assert.Single(_api.RequestsTo("DELETE", $"/api/deployments/{_web.Id}/domains/.*"));
        Assert.Equal(1, rmAgain.ExitCode);
        Assert.Contains("has no domain www.example.com", rmAgain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotLoggedIn_SaysToLogIn()
    {
        _cli.Variables.Remove(CliEnvironment.TokenVariable);

        var run = await _cli.RunAsync("ps");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("poddle login", run.Stderr, StringComparison.Ordinal);
    }
}
