using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Testing;

/// <summary>
/// A pod driver with a name and capabilities of the test's choosing, whose pods live in memory (started = running,
/// stopped = exited with "stopped"). For tests of the deployments API, which only needs drivers the registry knows and
/// what they can run; tests of the controller use the scriptable FakePodDriver. <see cref="Sandbox"/> and
/// <see cref="Docker"/> say what the real drivers of those names say.
/// </summary>
public sealed class NamedTestPodDriver(string name, bool images, bool commands, bool exec = false, PodSecurityFeatures security = PodSecurityFeatures.None) : IPodDriver, IPodHostAddressSource
{
    private readonly ConcurrentDictionary<string, (PodHandle Handle, TaskCompletionSource<ExitResult> Exit, DateTimeOffset StartedAt)> _pods = new();

    public string Name => name;

    public DriverCapabilities Capabilities { get; } = new(images, commands, Gpu: false, NetworkIsolation: false, Logs: false, Stats: false, Signals: false, Exec: exec) { Security = security };

    /// <summary>Like the real "sandbox" driver: commands, no exec, a read-only system and an unprivileged user already.</summary>
    public static NamedTestPodDriver Sandbox() =>
        new("sandbox", images: false, commands: true, exec: false, PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot);

    /// <summary>Like the real "docker" driver: images, exec, every security setting.</summary>
    public static NamedTestPodDriver Docker() =>
        new("docker", images: true, commands: false, exec: true, PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot | PodSecurityFeatures.User | PodSecurityFeatures.AddCapabilities);

    /// <summary>What <see cref="GetHostAddressAsync"/> answers (the host as its pods see it); null: unknown.</summary>
    public string? HostAddress { get; set; }

    /// <summary>The specs of the pods started, in order.</summary>
    public ConcurrentQueue<PodSpec> Started { get; } = new();

    /// <summary>While set, every start fails with this kind (a driver that is down, a provider without capacity).</summary>
    public PodFailureKind? FailStarts { get; set; }

    public Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(new DriverHealth(true, name + " (in-memory test driver)"));

    public Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        if (FailStarts is { } failure)
        {
            throw new PodDriverException(failure, $"The {name} test driver is told to fail starts.");
        }

        if ((spec.Image is not null && !images) || (spec.Image is null && !commands))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"The {name} test driver cannot run this spec.");
        }

        Started.Enqueue(spec);
        var handle = new PodHandle(name, Guid.NewGuid().ToString("N"), 1, "{}", spec.Labels);
        _pods[handle.PodId] = (handle, new TaskCompletionSource<ExitResult>(TaskCreationOptions.RunContinuationsAsynchronously), DateTimeOffset.UtcNow);
        return Task.FromResult(handle);
    }

    public Task<string?> GetHostAddressAsync(CancellationToken cancellationToken) => Task.FromResult(HostAddress);

    public Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(handle.PodId, out var pod))
        {
            return Task.FromResult(PodStatus.NotFound);
        }

        return Task.FromResult(pod.Exit.Task.IsCompleted
            ? new PodStatus(PodState.Exited, pod.StartedAt, DateTimeOffset.UtcNow, pod.Exit.Task.Result, null)
            : new PodStatus(PodState.Running, pod.StartedAt, null, null, null));
    }

    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (handle, _, _) in _pods.Values)
        {
            if (labels.All(l => handle.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            {
                yield return handle;
            }
        }
    }

    public Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken) =>
        _pods.TryGetValue(handle.PodId, out var pod) ? pod.Exit.Task.WaitAsync(cancellationToken) : Task.FromResult(new ExitResult(-1, null, false, "not found"));

    public Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        if (_pods.TryGetValue(handle.PodId, out var pod))
        {
            pod.Exit.TrySetResult(new ExitResult(0, null, false, "stopped"));
        }

        return Task.CompletedTask;
    }

    public Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        if (_pods.TryRemove(handle.PodId, out var pod))
        {
            pod.Exit.TrySetResult(new ExitResult(0, null, false, "stopped"));
        }

        return Task.CompletedTask;
    }
}
