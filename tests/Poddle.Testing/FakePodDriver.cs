using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Testing;

/// <summary>How a <see cref="FakePodDriver"/> pod behaves, chosen per spec by <see cref="FakePodDriver.Script"/>.</summary>
/// <param name="StartFails">StartAsync throws a <see cref="PodDriverException"/> of this kind (nothing is left behind).</param>
/// <param name="FailureMessage">The exception's message.</param>
/// <param name="ExitAfter">The main process exits this long (on the driver's clock) after start.</param>
/// <param name="ExitCode">The exit code it exits with.</param>
/// <param name="OomKilled">It is OOM-killed instead of exiting (exit code 137, signal 9).</param>
/// <param name="HangOnStart">StartAsync never returns until cancelled (an image pull that never finishes).</param>
/// <param name="Healthy">Its HTTP listener answers 200 (true) or 503 (false).</param>
/// <param name="Output">Lines (stream, text) its process writes as it starts, before any scheduled exit.</param>
/// <param name="OnTerm">What its process does when a stop sends SIGTERM.</param>
/// <param name="Narrate">The fake adds its own log lines, "started {name}" and "exited: {reason}" (controller tests
/// read them); off for a pod that stands for a real process, whose logs hold only what the process wrote.</param>
/// <param name="CpuNanoseconds">The CPU time its process has used when it starts.</param>
public sealed record FakePodScript(
    PodFailureKind? StartFails = null,
    string? FailureMessage = null,
    TimeSpan? ExitAfter = null,
    int ExitCode = 1,
    bool OomKilled = false,
    bool HangOnStart = false,
    bool Healthy = true,
    IReadOnlyList<(string Stream, string Text)>? Output = null,
    FakeTermHandling OnTerm = FakeTermHandling.Dies,
    bool Narrate = true,
    long CpuNanoseconds = 0)
{
    /// <summary>Runs until stopped and answers every probe.</summary>
    public static FakePodScript Healthy200 { get; } = new();
}

/// <summary>
/// An <see cref="IPodDriver"/> for controller tests that follows the contract's documented semantics: labels kept and
/// matched by <see cref="ListAsync"/>; exited pods listed until destroyed; stop and destroy idempotent; a pod started by
/// an earlier "process" (<see cref="SimulateDriverRestart"/>) must be <see cref="RecoverAsync"/>ed before it can be
/// inspected, waited on or read. A pod with a port listens on a real loopback socket and answers HTTP (200, or 503
/// when unhealthy), so probes are real HTTP and TCP. Time (exit-after, timestamps) follows the given clock.
/// </summary>
public sealed class FakePodDriver : IPodDriver, IPodLogSource, IPodStatsSource, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakePod> _pods = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private int _starts;
    private int _stops;
    private int _destroys;
    private int _recovers;
    private int _next;

    public FakePodDriver(TimeProvider clock, string name = "fake")
    {
        _clock = clock;
        Name = name;
    }

    public string Name { get; }

    public DriverCapabilities Capabilities { get; } = new(Images: true, Commands: true, Gpu: false, NetworkIsolation: false, Logs: true, Stats: true, Signals: true, Exec: false);

    /// <summary>Chooses each new pod's behaviour from its spec (default: healthy, runs until stopped).</summary>
    public Func<PodSpec, FakePodScript> Script { get; set; } = _ => FakePodScript.Healthy200;

    /// <summary>What <see cref="CheckHealthAsync"/> answers.</summary>
    public DriverHealth Health { get; set; } = new(true, "fake: ok");

    /// <summary>Successful starts.</summary>
    public int Starts => Volatile.Read(ref _starts);

    public int Stops => Volatile.Read(ref _stops);

    public int Destroys => Volatile.Read(ref _destroys);

    public int Recovers => Volatile.Read(ref _recovers);

    /// <summary>Every pod not destroyed (running or exited).</summary>
    public IReadOnlyList<FakePod> Pods => [.. _pods.Values.OrderBy(p => p.Sequence)];

    /// <summary>Pods whose main process runs.</summary>
    public IReadOnlyList<FakePod> Running => [.. Pods.Where(p => p.State == PodState.Running)];

    /// <summary>Specs of every successful start, in order.</summary>
    public ConcurrentQueue<PodSpec> Started { get; } = new();

    /// <summary>Forgets which pods this "process" is attached to, as a new server process would.</summary>
    public void SimulateDriverRestart()
    {
        foreach (var pod in _pods.Values)
        {
            pod.Attached = false;
        }
    }

    /// <summary>Adds a pod behind the controller's back (an orphan, or a leftover of an earlier installation).</summary>
    public Task<FakePod> AddExternalPodAsync(IReadOnlyDictionary<string, string> labels, int? port = null) =>
        CreateAsync(new PodSpec("external", labels, "busybox", null, null, new Dictionary<string, string>(), port, new PodResources(100, 64)), FakePodScript.Healthy200, attached: false);

    public Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(Health);

    public async Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        if (!Health.Available)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, Health.Detail);
        }

        var script = Script(spec);
        if (script.HangOnStart)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (script.StartFails is { } kind)
        {
            throw new PodDriverException(kind, script.FailureMessage ?? $"fake: {kind}");
        }

        var pod = await CreateAsync(spec, script, attached: true);
        Interlocked.Increment(ref _starts);
        Started.Enqueue(spec);
        return pod.Handle;
    }

    public Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (_pods.TryGetValue(handle.PodId, out var pod))
        {
            pod.Attached = true;
            Interlocked.Increment(ref _recovers);
        }

        return Task.CompletedTask;
    }

    public Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(handle.PodId, out var pod))
        {
            return Task.FromResult(PodStatus.NotFound);
        }

        pod.EnsureAttached();
        pod.CheckScheduledExit();
        return Task.FromResult(pod.Status());
    }

    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var pod in Pods)
        {
            if (labels.All(l => pod.Spec.Labels.TryGetValue(l.Key, out var value) && value == l.Value))
            {
                yield return pod.Handle;
            }
        }
    }

    public async Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(handle.PodId, out var pod))
        {
            throw new PodDriverException(PodFailureKind.Other, $"fake: no pod {handle.PodId}");
        }

        pod.EnsureAttached();
        pod.CheckScheduledExit();
        return await pod.Exited.Task.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (_pods.TryGetValue(handle.PodId, out var pod))
        {
            Interlocked.Increment(ref _stops);
            pod.LastStopGrace = gracePeriod;
            pod.CheckScheduledExit();
            await pod.TerminateAsync(gracePeriod, cancellationToken);
        }
    }

    public async Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (_pods.TryRemove(handle.PodId, out var pod))
        {
            Interlocked.Increment(ref _destroys);
            await pod.ExitAsync(ExitResult.From(137, 9, false));
            await pod.DisposeAsync();
        }
    }

    public async IAsyncEnumerable<PodLogLine> ReadLogsAsync(PodHandle handle, PodLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(handle.PodId, out var pod))
        {
            yield break;
        }

        pod.EnsureAttached();
        if (pod.LogReadFails is { } failure)
        {
            throw new PodDriverException(failure, $"fake: the logs of {handle.PodId} cannot be read");
        }

        var (existing, reader) = pod.Subscribe(query.Follow);
        try
        {
            IEnumerable<PodLogLine> lines = existing.Where(l => query.Since is null || l.Timestamp >= query.Since);
            if (query.Tail is { } tail)
            {
                lines = lines.TakeLast(tail);
            }

            foreach (var line in lines)
            {
                yield return line;
            }

            if (reader is null)
            {
                yield break;
            }

            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var line))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            pod.Unsubscribe(reader);
        }
    }

    public Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(handle.PodId, out var pod) || pod.State != PodState.Running)
        {
            return Task.FromResult<PodStats?>(null);
        }

        pod.EnsureAttached();
        return Task.FromResult<PodStats?>(new PodStats(_clock.GetUtcNow(), pod.CpuNanoseconds, pod.MemoryBytes, pod.Spec.Resources.MemoryMb * 1024L * 1024, pod.NetworkRxBytes, pod.NetworkTxBytes));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in _pods.Values)
        {
            await pod.DisposeAsync();
        }

        _pods.Clear();
    }

    private async Task<FakePod> CreateAsync(PodSpec spec, FakePodScript script, bool attached)
    {
        var sequence = Interlocked.Increment(ref _next);
        var id = $"fake-{sequence:D4}-{Guid.NewGuid().ToString("N")[..6]}";
        var handle = new PodHandle(Name, id, 1, $$"""{"id":"{{id}}"}""", spec.Labels);
        var pod = new FakePod(handle, spec, script, _clock, sequence) { Attached = attached };
        if (spec.Port is not null)
        {
            await pod.ListenAsync();
        }

        _pods[id] = pod;
        if (script.Narrate)
        {
            pod.WriteLog($"started {spec.Name}");
        }

        foreach (var (stream, text) in script.Output ?? [])
        {
            pod.WriteLog(text, stream);
        }

        return pod;
    }
}

/// <summary>One pod of the <see cref="FakePodDriver"/>: scriptable while it runs (exit, OOM, health, logs, counters).</summary>
public sealed class FakePod : IAsyncDisposable
{
    private readonly TimeProvider _clock;
    private readonly List<PodLogLine> _logs = [];
    private readonly List<Channel<PodLogLine>> _followers = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private volatile int _state = (int)PodState.Running;

    internal FakePod(PodHandle handle, PodSpec spec, FakePodScript script, TimeProvider clock, int sequence)
    {
        Handle = handle;
        Spec = spec;
        Script = script;
        _clock = clock;
        Sequence = sequence;
        StartedAt = clock.GetUtcNow();
        Healthy = script.Healthy;
        CpuNanoseconds = script.CpuNanoseconds;
    }

    public PodHandle Handle { get; }

    public PodSpec Spec { get; }

    public FakePodScript Script { get; }

    public int Sequence { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public PodState State => (PodState)_state;

    /// <summary>Whether this driver "process" is attached to it (see <see cref="FakePodDriver.SimulateDriverRestart"/>).</summary>
    public bool Attached { get; set; }

    /// <summary>Its HTTP listener answers 200 when true, 503 when false.</summary>
    public bool Healthy { get; set; }

    /// <summary>
    /// Reading its logs throws a <see cref="PodDriverException"/> of this kind, as a real engine does for a container that
    /// went away between a listing and the read (Docker's 409 "marked for removal"); null reads normally.
    /// </summary>
    public PodFailureKind? LogReadFails { get; set; }

    /// <summary>The grace period of the last stop request.</summary>
    public TimeSpan? LastStopGrace { get; set; }

    public long CpuNanoseconds { get; set; }

    public long MemoryBytes { get; set; } = 32L * 1024 * 1024;

    public long? NetworkRxBytes { get; set; } = 0;

    public long? NetworkTxBytes { get; set; } = 0;

    /// <summary>The loopback port it listens on (null without a port).</summary>
    public int? HostPort { get; private set; }

    public string? ReplicaLabel => Spec.Labels.GetValueOrDefault(PodLabels.Replica);

    internal TaskCompletionSource<ExitResult> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many readers follow its logs now (a test waits for a follower to attach before it writes).</summary>
    public int Followers
    {
        get
        {
            lock (_gate)
            {
                return _followers.Count;
            }
        }
    }

    /// <summary>The main process exits with <paramref name="exitCode"/> now.</summary>
    public Task ExitAsync(int exitCode) => ExitAsync(ExitResult.From(exitCode, null, false));

    /// <summary>The kernel's OOM killer ends it now.</summary>
    public Task OomKillAsync() => ExitAsync(ExitResult.From(137, 9, true));

    /// <summary>Closes its port: connections are refused (TCP probes fail too).</summary>
    public void CloseListener()
    {
        _listener?.Stop();
        _listener = null;
    }

    public void WriteLog(string text, string stream = "stdout")
    {
        var line = new PodLogLine(_clock.GetUtcNow(), stream, text);
        lock (_gate)
        {
            _logs.Add(line);
            foreach (var follower in _followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        CloseListener();
        lock (_gate)
        {
            foreach (var follower in _followers)
            {
                follower.Writer.TryComplete();
            }
        }
    }

    internal void EnsureAttached()
    {
        if (!Attached)
        {
            throw new InvalidOperationException($"fake: pod {Handle.PodId} was started by an earlier process and has not been recovered (RecoverAsync).");
        }
    }

    internal void CheckScheduledExit()
    {
        if (State == PodState.Running && Script.ExitAfter is { } after && _clock.GetUtcNow() >= StartedAt + after)
        {
            _ = ExitAsync(Script.OomKilled ? ExitResult.From(137, 9, true) : ExitResult.From(Script.ExitCode, null, false));
        }
    }

    /// <summary>A stop's SIGTERM: the process dies of it, exits cleanly, or ignores it and is killed after the grace period.</summary>
    internal async Task TerminateAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        switch (Script.OnTerm)
        {
            case FakeTermHandling.ExitsCleanly:
                await ExitAsync(ExitResult.From(0, null, false));
                break;
            case FakeTermHandling.Ignores:
                if (State == PodState.Running)
                {
                    // The grace period on the driver's clock; an exit meanwhile (scripted, or a destroy) ends it early.
                    var grace = Task.Delay(gracePeriod, _clock, cancellationToken);
                    await Task.WhenAny(Exited.Task, grace);
                    await ExitAsync(ExitResult.From(137, 9, false));
                }

                break;
            default:
                await ExitAsync(ExitResult.From(143, 15, false));
                break;
        }
    }

    internal PodStatus Status() => State switch
    {
        PodState.Running => new PodStatus(PodState.Running, StartedAt, null, null, HostPort is { } port ? new PodEndpoint("127.0.0.1", port) : null),
        _ => new PodStatus(PodState.Exited, StartedAt, FinishedAt, Exited.Task.IsCompleted ? Exited.Task.Result : null, null),
    };

    internal Task ExitAsync(ExitResult result)
    {
        if (Interlocked.CompareExchange(ref _state, (int)PodState.Exited, (int)PodState.Running) != (int)PodState.Running)
        {
            return Task.CompletedTask;
        }

        FinishedAt = _clock.GetUtcNow();
        CloseListener();
        Exited.TrySetResult(result);
        if (Script.Narrate)
        {
            WriteLog($"exited: {result.Reason}", "stderr");
        }

        lock (_gate)
        {
            foreach (var follower in _followers)
            {
                follower.Writer.TryComplete();
            }
        }

        return Task.CompletedTask;
    }

    internal (IReadOnlyList<PodLogLine> Existing, ChannelReader<PodLogLine>? Reader) Subscribe(bool follow)
    {
        lock (_gate)
        {
            var existing = _logs.ToList();
            if (!follow || State != PodState.Running)
            {
                return (existing, null);
            }

            var channel = Channel.CreateUnbounded<PodLogLine>();
            _followers.Add(channel);
            return (existing, channel.Reader);
        }
    }

    internal void Unsubscribe(ChannelReader<PodLogLine>? reader)
    {
        if (reader is null)
        {
            return;
        }

        lock (_gate)
        {
            _followers.RemoveAll(c => c.Reader == reader);
        }
    }

    internal Task ListenAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _listener = listener;
        HostPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(() => AcceptLoopAsync(listener));
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var received = new StringBuilder();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, timeout.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var (code, text) = Healthy ? (200, "OK") : (503, "Service Unavailable");
                var body = Healthy ? "ok" : "unhealthy";
                var response = $"HTTP/1.1 {code} {text}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The prober gave up or the pod stopped.
            }
        }
    }
}
