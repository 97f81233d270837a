using System.Collections.Concurrent;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using GraphQL.Types;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Poddle.Testing.RunPod;

/// <summary>
/// A fake of RunPod's GraphQL API on a real Kestrel port (<see cref="GraphQLUrl"/>), for tests and the benchmark: the
/// schema subset of <see cref="RunPodFakeSchema"/> executed by GraphQL.NET, with RunPod's behaviour —
/// <c>Authorization: Bearer KEY</c> or <c>?api_key=KEY</c> (anything else is HTTP 401); errors as HTTP 200 with
/// <c>errors[].message/path/extensions.code</c> and <c>data.field: null</c>; pods CREATED → RUNNING after
/// <see cref="StartDelay"/> on <see cref="Time"/>, with uptime, ports, GPU and container figures and <c>costPerHr</c>
/// from the GPU type; spot pods outbid (<see cref="Outbid"/>); pods that vanish or appear behind the client's back;
/// injected failures (<see cref="Faults"/>). Split by concern: the GraphQL resolvers (.Resolvers.cs).
/// </summary>
public sealed partial class RunPodFake : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RunPodFakePod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly List<RunPodFakeGpuType> _gpuTypes = [.. RunPodFakeGpuType.Defaults];
    private readonly Schema _schema;
    private readonly GraphQLSerializer _serializer = new();
    private readonly DocumentExecuter _executer = new();
    private WebApplication? _app;
    private Task? _workloadLoop;
    private CancellationTokenSource? _stopping;

    private RunPodFake(string apiKey, TimeProvider time, int seed)
    {
        ApiKey = apiKey;
        Time = time;
        Faults = new RunPodFakeFaults(seed);
        _schema = BuildSchema();
    }

    /// <summary>The one API key the fake accepts.</summary>
    public string ApiKey { get; }

    /// <summary>The clock pods start and bill by.</summary>
    public TimeProvider Time { get; }

    /// <summary>Failures to inject.</summary>
    public RunPodFakeFaults Faults { get; }

    /// <summary>How long a rented or resumed pod stays CREATED before it runs (zero by default).</summary>
    public TimeSpan StartDelay { get; set; }

    /// <summary>
    /// Opt-in: images mapped to local commands run as processes while their pods are RUNNING (empty: pods run nothing).
    /// Checked after every API call and every <see cref="WorkloadTick"/> of real time (a pod's start on the fake clock or
    /// a <see cref="Vanish"/> is seen within one tick).
    /// </summary>
    public RunPodFakeWorkloads Workloads { get; } = new();

    /// <summary>How often, in real time, <see cref="Workloads"/> are reconciled with the pods besides after each call.</summary>
    public static TimeSpan WorkloadTick { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The account's balance in dollars.</summary>
    public double ClientBalance { get; set; } = 100;

    /// <summary>The API's address, <c>http://127.0.0.1:PORT/graphql</c>.</summary>
    public Uri GraphQLUrl { get; private set; } = new("http://127.0.0.1/graphql");

    /// <summary>Every pod the account has now (not terminated), as the fake sees it.</summary>
    public IReadOnlyList<RunPodFakePod> Pods
    {
        get
        {
            lock (_lock)
            {
                return [.. _pods.Values];
            }
        }
    }

    /// <summary>Starts a fake on a free loopback port.</summary>
    public static async Task<RunPodFake> StartAsync(string apiKey = "rpa_TESTKEY0000000000000000000000000000000000", TimeProvider? time = null, int seed = 17)
    {
        var fake = new RunPodFake(apiKey, time ?? TimeProvider.System, seed);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/graphql", fake.HandleAsync);
        await app.StartAsync();
        fake._app = app;
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.GraphQLUrl = new Uri(address.TrimEnd('/') + "/graphql");
        fake._stopping = new CancellationTokenSource();
        fake._workloadLoop = fake.ReconcileWorkloadsAsync(fake._stopping.Token);
        return fake;
    }

    /// <summary>How many times a top-level field ("podFindAndDeployOnDemand") was asked for, failures included.</summary>
    public int Calls(string field) => _calls.TryGetValue(field, out var count) ? count : 0;

    /// <summary>A pod by id; null when there is none.</summary>
    public RunPodFakePod? Pod(string id)
    {
        lock (_lock)
        {
            return _pods.GetValueOrDefault(id);
        }
    }

    /// <summary>A pod disappears behind the client's back (terminated from RunPod's console, host lost).</summary>
    public bool Vanish(string podId)
    {
        lock (_lock)
        {
            var removed = _pods.Remove(podId);
            Workloads.Reconcile([.. _pods.Values]);
            return removed;
        }
    }

    /// <summary>A pod appears behind the client's back (made from RunPod's console or by another program), running.</summary>
    public RunPodFakePod AddOutOfBand(string name, IReadOnlyList<string> env, string gpuTypeId = "NVIDIA RTX A4000", string image = "runpod/pytorch:2.1.0")
    {
        lock (_lock)
        {
            var pod = NewPod(new Dictionary<string, object?> { ["name"] = name, ["imageName"] = image, ["gpuTypeId"] = gpuTypeId, ["gpuCount"] = 1 }, env, GpuTypeOf(gpuTypeId)!, "SECURE", bid: null);
            _pods[pod.Id] = pod;
            return pod;
        }
    }

    /// <summary>A spot pod is outbid: RunPod stops it (desiredStatus EXITED) until a new bid resumes it.</summary>
    public void Outbid(string podId)
    {
        lock (_lock)
        {
            if (_pods.TryGetValue(podId, out var pod) && pod.Interruptible)
            {
                pod.Stopped = true;
                pod.LastChange = "Outbid";
                pod.ChangedAt = Time.GetUtcNow();
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync();
            await _workloadLoop!;
            _stopping.Dispose();
        }

        await Workloads.DisposeAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        if (Faults.Delay > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Delay, ct);
        }

        if (!Authorized(context.Request))
        {
            await WriteAsync(context, StatusCodes.Status401Unauthorized, """{"errors":[{"message":"401 Unauthorized"}]}""");
            return;
        }

        if (Faults.TakeHttpFailure() is { } status)
        {
            await WriteAsync(context, status, "Internal Server Error");
            return;
        }

        GraphQLRequest? request;
        try
        {
            request = await _serializer.ReadAsync<GraphQLRequest>(context.Request.Body, ct);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?.Query is null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, """{"errors":[{"message":"POST body missing, invalid Content-Type, or JSON object has no keys."}]}""");
            return;
        }

        var result = await _executer.ExecuteAsync(options =>
        {
            options.Schema = _schema;
            options.Query = request.Query;
            options.Variables = request.Variables;
            options.OperationName = request.OperationName;
            options.CancellationToken = ct;
            options.ThrowOnUnhandledException = true;
        });

        // Like RunPod's Apollo server: a document that does not validate is a 400; everything that ran is a 200,
        // errors included.
        context.Response.StatusCode = result.Executed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        await _serializer.WriteAsync(context.Response.Body, result, ct);
        Workloads.Reconcile(Pods);
    }

    private async Task ReconcileWorkloadsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(WorkloadTick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Workloads.Reconcile(Pods);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return header["Bearer ".Length..].Trim() == ApiKey;
        }

        return request.Query.TryGetValue("api_key", out var key) && key.ToString() == ApiKey;
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = body.StartsWith('{') ? "application/json" : "text/plain";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}
