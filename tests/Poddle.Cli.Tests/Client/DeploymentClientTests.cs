using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Poddle.Cli.Tests;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Client.Tests;

/// <summary>The deployment methods against a fake API over real HTTP (the real endpoints are tested end to end after the merge).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class DeploymentClientTests : IAsyncLifetime
{
    private FakeDeploymentApi _api = null!;
    private HttpClient _http = null!;
    private PoddleClient _client = null!;
    private ProjectResponse _project = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeDeploymentApi.StartAsync();
        _http = PoddleClient.CreateHttpClient(_api.BaseAddress);
        _client = new PoddleClient(_http, FakeDeploymentApi.Token);
        _project = _api.AddProject("demo");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task CreateGetListUpdateDelete_RoundTripTheContracts()
    {
        var created = await _client.CreateDeploymentAsync(_project.Id, new CreateDeploymentRequest(
            "web", Command: ["python3", "app.py"], Env: new Dictionary<string, string> { ["A"] = "1" }, Secrets: new Dictionary<string, string> { ["S"] = "x" }, Replicas: 2));
        var body = Assert.Single(_api.RequestsTo("POST", "/api/projects/[^/]+/deployments")).Json;
        var updated = await _client.UpdateDeploymentAsync(created.Id, new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["A"] = null, ["B"] = "2" }));
        var patch = Assert.Single(_api.RequestsTo("PATCH", "/api/deployments/[^/]+")).Json;
        var listed = await _client.ListDeploymentsAsync(_project.Id);
        await _client.DeleteDeploymentAsync(created.Id);

        Assert.Equal("pending", created.Status);
        Assert.Equal(["python3", "app.py"], body.GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("x", body.GetProperty("secrets").GetProperty("S").GetString());
        Assert.False(body.TryGetProperty("image", out _)); // nulls are left out
        Assert.Equal(JsonValueKind.Null, patch.GetProperty("env").GetProperty("A").ValueKind); // null removes a key
        Assert.Equal(2, updated.Revision);
        Assert.Equal(new Dictionary<string, string> { ["B"] = "2" }, updated.Env);
        Assert.Equal(["web"], listed.Select(d => d.Name));
        Assert.Empty(_api.Deployments);
    }

    [Fact]
    public async Task ValidationProblem_BecomesApiExceptionWithFields()
    {
        var ex = await Assert.ThrowsAsync<PoddleApiException>(() => _client.CreateDeploymentAsync(_project.Id, new CreateDeploymentRequest("Bad_Name")));

        Assert.Equal(400, ex.Status);
        Assert.Equal("validation", ex.Code);
        Assert.Equal(["image", "name"], ex.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("req-", ex.RequestId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepted_WithoutBody_ReadsTheDeploymentBack()
    {
        var d = _api.AddDeployment(_project, "web");
        _api.EmptyAcceptedBodies = true;

        var restarted = await _client.RestartDeploymentAsync(d.Id);

        Assert.Equal(d.Id, restarted.Id);
        Assert.Single(_api.RequestsTo("POST", $"/api/deployments/{d.Id}/restart"));
        Assert.Single(_api.RequestsTo("GET", $"/api/deployments/{d.Id}"));
    }

    [Fact]
    public async Task ScaleRollbackRevisionsEventsMetrics_HitTheirRoutes()
    {
        var d = _api.AddDeployment(_project, "web");

        var scaled = await _client.ScaleDeploymentAsync(d.Id, new ScaleDeploymentRequest(4));
        await _client.UpdateDeploymentAsync(d.Id, new UpdateDeploymentRequest(Image: "busybox:2"));
        var rolled = await _client.RollbackDeploymentAsync(d.Id, new RollbackDeploymentRequest(1));
        var revisions = await _client.ListRevisionsAsync(d.Id);
        var events = await _client.ListDeploymentEventsAsync(d.Id);
        var metrics = await _client.GetDeploymentMetricsAsync(d.Id);

        Assert.Equal(4, scaled.Replicas);
        Assert.Equal("{\"replicas\":4}", Assert.Single(_api.RequestsTo("PATCH", $"/api/deployments/{d.Id}/scale")).Body);
        Assert.Equal("{\"revision\":1}", Assert.Single(_api.RequestsTo("POST", $"/api/deployments/{d.Id}/rollback")).Body);
        Assert.Equal(3, rolled.Revision);
        Assert.Equal(["create", "update", "rollback"], revisions.Select(r => r.Cause));
        Assert.NotEmpty(events);
        Assert.Single(Assert.Single(metrics.Replicas).Samples);
    }

    [Fact]
    public async Task Logs_SendTailAndSinceAsQuery()
    {
        var d = _api.AddDeployment(_project, "web");
        var replica = Guid.NewGuid();
        var t0 = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        _api.Logs.AddRange(Enumerable.Range(0, 5).Select(i => new LogLineResponse(replica, t0.AddSeconds(i), "stdout", $"line {i}")));

        var lines = await _client.GetDeploymentLogsAsync(d.Id, tail: 2, since: t0.AddSeconds(1));

        Assert.Equal(["line 3", "line 4"], lines.Select(l => l.Text));
        Assert.Equal("?tail=2&since=2026-01-02T03%3A04%3A06.000Z", Assert.Single(_api.RequestsTo("GET", $"/api/deployments/{d.Id}/logs")).Query);
    }

    [Fact]
    public async Task StreamLogs_ParsesLogEventsSkipsOthersAndHandlesSplitChunks()
    {
        var d = _api.AddDeployment(_project, "web");
        var replica = Guid.NewGuid();
        var one = JsonSerializer.Serialize(new LogLineResponse(replica, DateTimeOffset.UnixEpoch, "stdout", "hello"), PoddleJsonContext.Default.LogLineResponse);
        var two = JsonSerializer.Serialize(new LogLineResponse(replica, DateTimeOffset.UnixEpoch.AddSeconds(1), "stderr", "multi\nline"), PoddleJsonContext.Default.LogLineResponse);
        var cut = two.IndexOf(",\"stream\"", StringComparison.Ordinal);
        _api.StreamChunks.AddRange([
            ": connected\n\n",
            $"event: log\ndata: {one}\n\n",
            "event: status\ndata: {\"status\":\"running\"}\n\n",
            "event: log\ndata: " + two[..10],
            two[10..cut] + "\ndata: " + two[cut..] + "\n\n", // one JSON document over two data lines (joined with \n: still JSON)
            ": heartbeat\n\n",
        ]);

        var lines = new List<LogLineResponse>();
        await foreach (var line in _client.StreamLogsAsync(d.Id))
        {
            lines.Add(line);
        }

        Assert.Equal([("stdout", "hello"), ("stderr", "multi\nline")], lines.Select(l => (l.Stream, l.Text)));
        Assert.Equal("text/event-stream", Assert.Single(_api.RequestsTo("GET", $"/api/deployments/{d.Id}/logs/stream")).Accept);
    }

    [Fact]
    public async Task StreamLogs_StopsOnCancellationAndClosesTheConnection()
    {
        var d = _api.AddDeployment(_project, "web");
        _api.KeepStreamOpen = true;
        _api.StreamChunks.Add("event: log\ndata: " + JsonSerializer.Serialize(new LogLineResponse(Guid.NewGuid(), DateTimeOffset.UnixEpoch, "stdout", "first"), PoddleJsonContext.Default.LogLineResponse) + "\n\n");
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        var reading = Task.Run(async () =>
        {
            await foreach (var line in _client.StreamLogsAsync(d.Id, cancellationToken: cts.Token))
            {
                received.Add(line.Text);
                await cts.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["first"], received);
        await Poll.UntilAsync(() => _api.StreamAborted, "the server sees the client go away", TimeSpan.FromSeconds(10));
        Assert.True(_api.StreamAborted, "the server did not see the client go away");
    }

    [Fact]
    public async Task UploadSource_SendsGzipBody()
    {
        using var bundle = new MemoryStream();
        using (var gzip = new GZipStream(bundle, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "app.py") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("print(1)")) };
            tar.WriteEntry(entry);
        }

        bundle.Position = 0;
        var source = await _client.UploadSourceAsync(_project.Id, bundle);

        var request = Assert.Single(_api.RequestsTo("POST", $"/api/projects/{_project.Id}/sources"));
        Assert.Equal("application/gzip", request.ContentType);
        Assert.Equal(bundle.ToArray(), _api.Sources[source.Id]);
        Assert.Equal(bundle.Length, source.SizeBytes);
    }

    [Fact]
    public async Task Domains_AddListVerifyRemove()
    {
        var d = _api.AddDeployment(_project, "web");

        var added = await _client.AddDomainAsync(d.Id, new AddDomainRequest("www.example.com"));
        var unverified = await _client.VerifyDomainAsync(d.Id, added.Id);
        _api.PublishedTxt.Add("www.example.com");
        var verified = await _client.VerifyDomainAsync(d.Id, added.Id);
        var listed = await _client.ListDomainsAsync(d.Id);
        await _client.RemoveDomainAsync(d.Id, added.Id);

        Assert.Equal("_poddle-challenge.www.example.com", added.TxtRecordName);
        Assert.False(unverified.Verified);
        Assert.True(verified.Verified);
        Assert.True(Assert.Single(listed).Verified);
        Assert.Empty(await _client.ListDomainsAsync(d.Id));
    }
}
