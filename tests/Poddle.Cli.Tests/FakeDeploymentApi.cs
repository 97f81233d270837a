using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;

namespace Poddle.Cli.Tests;

/// <summary>A request the fake server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, string Body, byte[] RawBody, string? Accept)
{
    public JsonElement Json => Body.Length == 0 ? default : JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// An in-memory stand-in for the deployment API, served over real HTTP by Kestrel on a free loopback port, speaking
/// the Contracts records and RFC 9457 problems as the server does. It records every request. The real endpoints are
/// written alongside; end-to-end tests against them come with the merge.
/// A deployment advances one step (pending → provisioning → running, or to <see cref="Outcome"/>) each time it is read.
/// </summary>
public sealed class FakeDeploymentApi : IAsyncDisposable
{
    public const string Token = "pdl_fake_token_for_cli_tests";
    private static readonly Regex DnsLabel = new("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant);

    private readonly WebApplication _app;
    private readonly object _gate = new();

    private FakeDeploymentApi(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public List<ProjectResponse> Projects { get; } = [];

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Dictionary<Guid, Deployment> Deployments { get; } = [];

    public Dictionary<Guid, byte[]> Sources { get; } = [];

    /// <summary>Lines GET /logs returns (filtered by tail and since).</summary>
    public List<LogLineResponse> Logs { get; } = [];

    /// <summary>What /logs/stream sends, as raw SSE text chunks, before it either ends or (with <see cref="KeepStreamOpen"/>) waits.</summary>
    public List<string> StreamChunks { get; } = [];

    public bool KeepStreamOpen { get; set; }

    /// <summary>Hosts whose TXT record "is published": verify succeeds for them.</summary>
    public HashSet<string> PublishedTxt { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What a deployment ends as: "running", "failed", "stuck" (provisioning forever) or "rollback" (back to the previous revision).</summary>
    public string Outcome { get; set; } = "running";

    /// <summary>Answer 202 with no body to restart (servers may).</summary>
    public bool EmptyAcceptedBodies { get; set; }

    public IEnumerable<RecordedRequest> RequestsTo(string method, string pathPattern) =>
        Requests.Where(r => r.Method == method && Regex.IsMatch(r.Path, "^" + pathPattern + "$"));

    public static async Task<FakeDeploymentApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeDeploymentApi? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new FakeDeploymentApi(app, new Uri(address + "/"));
        return fake;
    }

    public ProjectResponse AddProject(string name)
    {
        var project = new ProjectResponse(Guid.NewGuid(), name, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        Projects.Add(project);
        return project;
    }

    /// <summary>A deployment already there, running.</summary>
    public Deployment AddDeployment(ProjectResponse project, string name, int replicas = 2, string driver = "sandbox")
    {
        var d = new Deployment
        {
            Id = Guid.NewGuid(), ProjectId = project.Id, ProjectName = project.Name, Name = name, Driver = driver, Status = "running",
            Replicas = replicas, Revision = 1, Command = ["python3", "app.py"], CreatedAt = DateTimeOffset.UtcNow.AddHours(-2),
        };
        d.Env["GREETING"] = "hello";
        d.Secrets["API_KEY"] = "s3cret";
        d.Revisions.Add(new RevisionResponse(1, "create", "ready", true, null, d.Command, ["API_KEY"], d.CreatedAt));
        d.Step = 99;
        lock (_gate)
        {
            Deployments[d.Id] = d;
        }

        return d;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var raw = buffer.ToArray();
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, Encoding.UTF8.GetString(raw), raw, request.Headers.Accept.ToString());
        Requests.Enqueue(recorded);
        if (request.Headers.Authorization != "Bearer " + Token)
        {
            await ProblemAsync(context, 401, "unauthenticated", "Sign in first.");
            return;
        }

        var path = recorded.Path.TrimEnd('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            await RouteAsync(context, recorded, segments);
        }
        catch (JsonException ex)
        {
            await ProblemAsync(context, 400, "invalid-json", ex.Message);
        }
    }

    private async Task RouteAsync(HttpContext context, RecordedRequest r, string[] s)
    {
        switch (r.Method, s)
        {
            case ("GET", ["api", "projects"]):
                await JsonAsync(context, 200, Projects, PoddleJsonContext.Default.IReadOnlyListProjectResponse);
                return;
            case ("GET", ["api", "projects", var pid]):
                var project = Projects.FirstOrDefault(p => p.Id.ToString() == pid);
                if (project is null)
                {
                    await ProblemAsync(context, 404, "not-found", "No such project.");
                    return;
                }

                await JsonAsync(context, 200, project, PoddleJsonContext.Default.ProjectResponse);
                return;
            case ("POST", ["api", "projects", var pid, "sources"]):
                if (r.ContentType != "application/gzip")
                {
                    await ProblemAsync(context, 415, "unsupported-media-type", "Send application/gzip.");
                    return;
                }

                var id = Guid.NewGuid();
                lock (_gate)
                {
                    Sources[id] = r.RawBody;
                }

                await JsonAsync(context, 200, new SourceBundleResponse(id, Convert.ToHexStringLower(SHA256.HashData(r.RawBody)), r.RawBody.Length, DateTimeOffset.UtcNow), PoddleJsonContext.Default.SourceBundleResponse);
                return;
            case ("GET", ["api", "projects", var pid, "deployments"]):
                List<DeploymentResponse> list;
                lock (_gate)
                {
                    list = Deployments.Values.Where(d => d.ProjectId.ToString() == pid).Select(d => d.ToResponse()).ToList();
                }

                await JsonAsync(context, 200, list, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse);
                return;
            case ("POST", ["api", "projects", var pid, "deployments"]):
                await CreateAsync(context, Guid.Parse(pid), JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.CreateDeploymentRequest)!);
                return;
        }

        if (s.Length < 3 || s[0] != "api" || s[1] != "deployments" || !Guid.TryParse(s[2], out var deploymentId) || Find(deploymentId) is not { } d)
        {
            await ProblemAsync(context, 404, "not-found", "No such deployment.");
            return;
        }

        var rest = s[3..];
        switch (r.Method, rest)
        {
            case ("GET", []):
                lock (_gate)
                {
                    d.Advance(Outcome);
                }

                await JsonAsync(context, 200, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
                return;
            case ("PATCH", []):
                var update = JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.UpdateDeploymentRequest)!;
                lock (_gate)
                {
                    d.Image = update.Image ?? d.Image;
                    d.Command = update.Command ?? d.Command;
                    d.SourceId = update.SourceId ?? d.SourceId;
                    d.Port = update.Port ?? d.Port;
                    Merge(d.Env, update.Env);
                    Merge(d.Secrets, update.Secrets);
                    d.NewRevision("update");
                }

                await JsonAsync(context, 202, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
                return;
            case ("DELETE", []):
                lock (_gate)
                {
                    Deployments.Remove(d.Id);
                }

                context.Response.StatusCode = 202;
                return;
            case ("GET", ["revisions"]):
                await JsonAsync(context, 200, d.Revisions, PoddleJsonContext.Default.IReadOnlyListRevisionResponse);
                return;
            case ("POST", ["rollback"]):
                var rollback = JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.RollbackDeploymentRequest)!;
                var to = rollback.Revision ?? d.Revision - 1;
                if (to < 1 || to > d.Revision)
                {
                    await ProblemAsync(context, 422, "validation", "No such revision.", new() { ["revision"] = [$"Revision {to} does not exist."] });
                    return;
                }

                lock (_gate)
                {
                    d.NewRevision("rollback");
                }

                await JsonAsync(context, 202, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
                return;
            case ("PATCH", ["scale"]):
                var scale = JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.ScaleDeploymentRequest)!;
                if (scale.Replicas is not { } n || n > 10)
                {
                    await ProblemAsync(context, 422, "validation", "Replicas out of range.", new() { ["replicas"] = ["Between 0 and 10 on your tier."] });
                    return;
                }

                lock (_gate)
                {
                    d.Replicas = n;
                }

                await JsonAsync(context, 202, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
                return;
            case ("POST", ["restart"]):
                if (EmptyAcceptedBodies)
                {
                    context.Response.StatusCode = 202;
                    return;
                }

                await JsonAsync(context, 202, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
                return;
            case ("GET", ["events"]):
                List<DeploymentEventResponse> events;
                lock (_gate)
                {
                    events = [.. d.Events];
                }

                await JsonAsync(context, 200, events, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse);
                return;
            case ("GET", ["logs"]):
                IEnumerable<LogLineResponse> lines = Logs;
                if (context.Request.Query["since"].FirstOrDefault() is { } since)
                {
                    var from = DateTimeOffset.Parse(since, System.Globalization.CultureInfo.InvariantCulture);
                    lines = lines.Where(l => l.Timestamp >= from);
                }

                if (context.Request.Query["tail"].FirstOrDefault() is { } tail)
                {
                    var all = lines.ToList();
                    lines = all.Skip(Math.Max(0, all.Count - int.Parse(tail, System.Globalization.CultureInfo.InvariantCulture)));
                }

                await JsonAsync(context, 200, lines.ToList(), PoddleJsonContext.Default.IReadOnlyListLogLineResponse);
                return;
            case ("GET", ["logs", "stream"]):
                context.Response.ContentType = "text/event-stream";
                await context.Response.StartAsync();
                foreach (var chunk in StreamChunks)
                {
                    await context.Response.WriteAsync(chunk);
                    await context.Response.Body.FlushAsync();
                }

                if (KeepStreamOpen)
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        StreamAborted = true;
                    }
                }

                return;
            case ("GET", ["metrics"]):
                var metrics = new DeploymentMetricsResponse([new ReplicaMetricsResponse(Guid.NewGuid(), [new ReplicaMetricsSample(DateTimeOffset.UtcNow, 12.5, 1 << 20, 256L << 20, 10, 20)])]);
                await JsonAsync(context, 200, metrics, PoddleJsonContext.Default.DeploymentMetricsResponse);
                return;
            case ("POST", ["domains"]):
                var add = JsonSerializer.Deserialize(r.Body, PoddleJsonContext.Default.AddDomainRequest)!;
                var domain = new DomainResponse(Guid.NewGuid(), add.Hostname!, false, null, "_poddle-challenge." + add.Hostname, "poddle-verify=" + Guid.NewGuid().ToString("N")[..16], DateTimeOffset.UtcNow);
                lock (_gate)
                {
                    d.Domains.Add(domain);
                }

                await JsonAsync(context, 201, domain, PoddleJsonContext.Default.DomainResponse);
                return;
            case ("GET", ["domains"]):
                await JsonAsync(context, 200, d.Domains, PoddleJsonContext.Default.IReadOnlyListDomainResponse);
                return;
            case ("DELETE", ["domains", var domainId]):
                lock (_gate)
                {
                    d.Domains.RemoveAll(x => x.Id.ToString() == domainId);
                }

                context.Response.StatusCode = 204;
                return;
            case ("POST", ["domains", var domainId, "verify"]):
                var index = d.Domains.FindIndex(x => x.Id.ToString() == domainId);
                if (index < 0)
                {
                    await ProblemAsync(context, 404, "not-found", "No such domain.");
                    return;
                }

                if (PublishedTxt.Contains(d.Domains[index].Hostname))
                {
                    d.Domains[index] = d.Domains[index] with { Verified = true, VerifiedBy = "dns" };
                }

                await JsonAsync(context, 200, d.Domains[index], PoddleJsonContext.Default.DomainResponse);
                return;
            default:
                await ProblemAsync(context, 404, "not-found", $"No route {r.Method} {r.Path}.");
                return;
        }
    }

    /// <summary>Set when a kept-open log stream saw its client go away.</summary>
    public bool StreamAborted { get; private set; }

    private async Task CreateAsync(HttpContext context, Guid projectId, CreateDeploymentRequest request)
    {
        var project = Projects.FirstOrDefault(p => p.Id == projectId);
        if (project is null)
        {
            await ProblemAsync(context, 404, "not-found", "No such project.");
            return;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Name is null || !DnsLabel.IsMatch(request.Name))
        {
            errors["name"] = ["Must be a DNS label: lowercase letters, digits and '-'."];
        }

        if (request.Image is null && request.Command is null)
        {
            errors["image"] = ["Give an image or a command."];
        }

        if (request.Replicas is > 10)
        {
            errors["replicas"] = ["At most 10 on your tier."];
        }

        if (errors.Count > 0)
        {
            await ProblemAsync(context, 400, "validation", "The deployment is not valid.", errors);
            return;
        }

        lock (_gate)
        {
            if (Deployments.Values.Any(x => x.ProjectId == projectId && x.Name == request.Name))
            {
                errors["name"] = ["Taken in this project."];
            }
        }

        if (errors.Count > 0)
        {
            await ProblemAsync(context, 409, "conflict", "A deployment with that name exists.", errors);
            return;
        }

        var d = new Deployment
        {
            Id = Guid.NewGuid(), ProjectId = projectId, ProjectName = project.Name, Name = request.Name!,
            Driver = request.Driver ?? (request.Image is null ? "sandbox" : "docker"), Status = "pending", Replicas = request.Replicas ?? 1,
            Revision = 1, Image = request.Image, Command = request.Command, SourceId = request.SourceId, Port = request.Port ?? 8080,
            Resources = new ResourcesDto(request.Resources?.CpuMillicores ?? 250, request.Resources?.MemoryMb ?? 256), HealthCheck = request.HealthCheck,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        foreach (var (k, v) in request.Env ?? new Dictionary<string, string>())
        {
            d.Env[k] = v;
        }

        foreach (var (k, v) in request.Secrets ?? new Dictionary<string, string>())
        {
            d.Secrets[k] = v;
        }

        d.Revisions.Add(new RevisionResponse(1, "create", null, true, d.Image, d.Command, [.. d.Secrets.Keys], d.CreatedAt));
        d.AddEvent("normal", "Created", "Deployment created.");
        lock (_gate)
        {
            Deployments[d.Id] = d;
        }

        await JsonAsync(context, 202, d.ToResponse(), PoddleJsonContext.Default.DeploymentResponse);
    }

    private Deployment? Find(Guid id)
    {
        lock (_gate)
        {
            return Deployments.GetValueOrDefault(id);
        }
    }

    private static void Merge(Dictionary<string, string> target, IReadOnlyDictionary<string, string?>? changes)
    {
        foreach (var (k, v) in changes ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                target.Remove(k);
            }
            else
            {
                target[k] = v;
            }
        }
    }

    private static Task JsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, type));
    }

    private static Task ProblemAsync(HttpContext context, int status, string code, string detail, Dictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new ProblemResponse("about:blank", code, status, detail, context.Request.Path, code, "req-" + Guid.NewGuid().ToString("N")[..8], errors);
        return context.Response.WriteAsync(JsonSerializer.Serialize(problem, PoddleJsonContext.Default.ProblemResponse));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The fake's state of one deployment.</summary>
    public sealed class Deployment
    {
        public Guid Id { get; init; }

        public Guid ProjectId { get; init; }

        public required string ProjectName { get; init; }

        public required string Name { get; init; }

        public required string Driver { get; init; }

        public required string Status { get; set; }

        public string? StatusReason { get; set; }

        public int Replicas { get; set; }

        public int Revision { get; set; }

        public string? Image { get; set; }

        public IReadOnlyList<string>? Command { get; set; }

        public Guid? SourceId { get; set; }

        public int? Port { get; set; } = 8080;

        public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);

        /// <summary>Values as received: the API never shows them, tests check they arrived.</summary>
        public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

        public ResourcesDto Resources { get; set; } = new(250, 256);

        public HealthCheckDto? HealthCheck { get; set; }

        /// <summary>Pod-agent health per replica (by index); none: every replica's health is "unknown".</summary>
        public List<string>? ReplicaHealth { get; set; }

        public List<RevisionResponse> Revisions { get; } = [];

        public List<DeploymentEventResponse> Events { get; } = [];

        public List<DomainResponse> Domains { get; } = [];

        public DateTimeOffset CreatedAt { get; init; }

        /// <summary>How far the current rollout got (0 pending, 1 provisioning, 2 done).</summary>
        public int Step { get; set; }

        public void NewRevision(string cause)
        {
            Revision = Revisions.Count + 1;
            Revisions.Add(new RevisionResponse(Revision, cause, null, true, Image, Command, [.. Secrets.Keys], DateTimeOffset.UtcNow));
            Status = "provisioning";
            Step = 1;
            AddEvent("normal", "RolloutStarted", $"Rolling out revision {Revision}.");
        }

        public void Advance(string outcome)
        {
            if (Step >= 2)
            {
                return;
            }

            Step++;
            if (Step == 1)
            {
                Status = "provisioning";
                AddEvent("normal", "Provisioning", "Starting replicas.");
                return;
            }

            switch (outcome)
            {
                case "running":
                    Status = "running";
                    AddEvent("normal", "Ready", "All replicas are ready.");
                    break;
                case "failed":
                    Status = "failed";
                    StatusReason = "crash loop: exit code 3";
                    AddEvent("warning", "BackOff", "Replica exited with code 3; restarting in 10 s.");
                    break;
                case "crashloop":
                    // As the real server: still provisioning, but every replica of the revision crash-loops, and each
                    // one's latest ReplicaCrashed event carries its last stderr lines (masked by the server).
                    CrashLooping = true;
                    for (var i = 0; i < Replicas; i++)
                    {
                        var id = ReplicaId(i);
                        Events.Add(new DeploymentEventResponse(
                            Guid.NewGuid(), id, "Warning", "ReplicaCrashed", "exit code 1",
                            $"replica {ShortIdOf(id)} exited (exit code 1); crash-looping (2 crashes in a row); restarting in 20 s\n  last lines on stderr:\n    Traceback (most recent call last):\n    KeyError: 'DATABASE_URL' (replica {i})",
                            2, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, ShortIdOf(id)));
                    }

                    Step = 1; // the server would go on restarting it
                    break;
                case "rollback":
                    Revision = Math.Max(1, Revision - 1);
                    Status = "running";
                    StatusReason = "revision did not become ready: probe failed";
                    AddEvent("warning", "RolledBack", "New revision did not become ready.");
                    break;
                default:
                    Step = 1; // stuck
                    break;
            }
        }

        public void AddEvent(string severity, string reason, string message) =>
            Events.Add(new DeploymentEventResponse(Guid.NewGuid(), null, severity, reason, reason, message, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        /// <summary>Its replicas crash-loop (outcome "crashloop").</summary>
        public bool CrashLooping { get; set; }

        /// <summary>Replica i's id: distinct in its last 8 hex digits, as real (UUIDv7) replica ids are.</summary>
        public static Guid ReplicaId(int i) => new(i + 1, 0, 0, [0, 0, 0, 0, 0xab, 0xcd, 0, (byte)(i + 1)]);

        public static string ShortIdOf(Guid id) => id.ToString("N")[^8..];

        public DeploymentResponse ToResponse()
        {
            var ready = Status == "running" ? Replicas : 0;
            var replicas = Enumerable.Range(0, Replicas)
                .Select(i => new ReplicaResponse(
                    ReplicaId(i), Revision, CrashLooping ? "crashed" : ready > 0 ? "running" : "starting", ready > 0, CrashLooping ? 1 : 0, CrashLooping ? "exit code 1" : null, null, CreatedAt,
                    new PodHealthResponse(ReplicaHealth is { } health && i < health.Count ? health[i] : "unknown", null, null),
                    ShortIdOf(ReplicaId(i)),
                    CrashLooping))
                .ToList();
            return new DeploymentResponse(
                Id, ProjectId, Name, Driver, Status, StatusReason, $"http://{Name}-{ProjectName}.localhost:8080", Replicas, ready, Revision, Image, Command, SourceId, Port,
                new Dictionary<string, string>(Env), [.. Secrets.Keys.Order(StringComparer.Ordinal)], Resources, HealthCheck, replicas, CreatedAt, DateTimeOffset.UtcNow);
        }
    }
}
