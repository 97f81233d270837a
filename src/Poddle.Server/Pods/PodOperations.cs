using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Server.Pods;

/// <summary>
/// What operators do to pods at a driver (`poddle pods`, /api/pods), by the driver's pod id: list, get, create from a
/// template, start (resume), stop, terminate, and the provider account. Drivers are resolved by name the way
/// deployments resolve them (keyed <see cref="IPodDriver"/>); a driver with <see cref="IPodFleet"/> (RunPod) shows every
/// pod of its account, Poddle's and others, and can resume and report its account; any other shows its Poddle-labelled
/// pods and can stop and terminate them. Driver failures are <see cref="PodErrorCodes.DriverFailed"/> (503), never 500s.
/// </summary>
public sealed partial class PodOperations(IServiceProvider services, TimeProvider time)
{
    /// <summary>The kind label of pods made through this API (deployments and pools have their own).</summary>
    public const string OperatorKind = "pod";

    private static readonly Dictionary<string, string> NoLabels = [];

    /// <summary>Pods of the driver.</summary>
    public async Task<Result<IReadOnlyList<PodResponse>>> ListAsync(string? driverName, CancellationToken ct)
    {
        if (Resolve(driverName) is not { } driver)
        {
            return UnknownDriver(driverName);
        }

        return await Guarded(async () =>
        {
            if (driver is IPodFleet fleet)
            {
                return (IReadOnlyList<PodResponse>)[.. (await fleet.ListFleetAsync(ct)).Select(p => ToResponse(driver.Name, p))];
            }

            var pods = new List<PodResponse>();
            await foreach (var handle in driver.ListAsync(NoLabels, ct))
            {
                pods.Add(ToResponse(handle, await driver.InspectAsync(handle, ct)));
            }

            return pods;
        });
    }

    /// <summary>One pod by the driver's id; not found when the driver does not have it (or, without a fleet, did not label it).</summary>
    public async Task<Result<PodResponse>> GetAsync(string driverName, string id, CancellationToken ct)
    {
        if (Resolve(driverName) is not { } driver)
        {
            return UnknownDriver(driverName);
        }

        var found = await Guarded(async () => driver is IPodFleet fleet
            ? (await fleet.GetFleetPodAsync(id, ct) is { } pod ? ToResponse(driver.Name, pod) : null)
            : (await FindAsync(driver, id, ct) is { } handle ? ToResponse(handle, await driver.InspectAsync(handle, ct)) : null));
        return !found.IsSuccess ? found.Error! : found.Value is { } response ? response : Error.NotFound("Pod");
    }

    /// <summary>Resumes a stopped pod (drivers with a provider account only).</summary>
    public Task<Result<PodResponse>> StartAsync(string driverName, string id, CancellationToken ct) =>
        ActAsync(driverName, id, "start", (fleet, _) => fleet?.ResumeFleetPodAsync(id, ct), ct);

    /// <summary>Stops a pod (a fleet pod keeps its volume and can be started again).</summary>
    public Task<Result<PodResponse>> StopAsync(string driverName, string id, CancellationToken ct) =>
        ActAsync(driverName, id, "stop", (fleet, pod) => fleet?.StopFleetPodAsync(id, ct) ?? pod.driver.StopAsync(pod.handle!, TimeSpan.FromSeconds(10), ct), ct);

    /// <summary>Terminates a pod for good.</summary>
    public async Task<Result<bool>> TerminateAsync(string driverName, string id, CancellationToken ct)
    {
        var done = await ActAsync(driverName, id, "terminate", (fleet, pod) => fleet?.TerminateFleetPodAsync(id, ct) ?? pod.driver.DestroyAsync(pod.handle!, ct), ct, inspectAfter: false);
        return done.IsSuccess ? true : done.Error!;
    }

    /// <summary>The provider account of a driver that has one.</summary>
    public async Task<Result<PodAccountResponse>> AccountAsync(string? driverName, CancellationToken ct)
    {
        if (Resolve(driverName) is not { } driver)
        {
            return UnknownDriver(driverName);
        }

        if (driver is not IPodFleet fleet)
        {
            return Unsupported(driver.Name, "has no provider account");
        }

        return await Guarded(async () =>
        {
            var account = await fleet.GetFleetAccountAsync(ct);
            return new PodAccountResponse(driver.Name, account.Balance, account.SpendPerHour);
        });
    }

    /// <summary>Rents or starts a pod from a template, labelled as an operator's pod of <paramref name="caller"/>.</summary>
    public async Task<Result<PodResponse>> CreateAsync(Guid caller, CreatePodRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var driver = Resolve(request.Driver);
        var spec = ToSpec(caller, request, driver);
        if (!spec.IsSuccess)
        {
            return spec.Error!;
        }

        var created = await Guarded(async () => await driver!.StartAsync(spec.Value, ct));
        if (!created.IsSuccess)
        {
            return created.Error!;
        }

        var handle = created.Value;
        if (driver is IPodFleet fleet && (await Guarded(async () => await fleet.GetFleetPodAsync(handle.PodId, ct))) is { IsSuccess: true, Value: { } pod })
        {
            return ToResponse(driver.Name, pod);
        }

        var status = await Guarded(async () => await driver!.InspectAsync(handle, ct));
        return ToResponse(handle, status.IsSuccess ? status.Value : new PodStatus(PodState.Pending, null, null, null, null));
    }

    private async Task<Result<PodResponse>> ActAsync(
        string driverName, string id, string verb, Func<IPodFleet?, (IPodDriver driver, PodHandle? handle), Task?> act, CancellationToken ct, bool inspectAfter = true)
    {
        if (Resolve(driverName) is not { } driver)
        {
            return UnknownDriver(driverName);
        }

        var fleet = driver as IPodFleet;
        PodHandle? handle = null;
        if (fleet is null)
        {
            var found = await Guarded(async () => await FindAsync(driver, id, ct));
            if (!found.IsSuccess)
            {
                return found.Error!;
            }

            handle = found.Value;
        }
        else
        {
            var found = await Guarded(async () => await fleet.GetFleetPodAsync(id, ct));
            if (!found.IsSuccess)
            {
                return found.Error!;
            }

            if (found.Value is null)
            {
                return Error.NotFound("Pod");
            }
        }

        if (fleet is null && handle is null)
        {
            return Error.NotFound("Pod");
        }

        var task = act(fleet, (driver, handle));
        if (task is null)
        {
            return Unsupported(driver.Name, $"cannot {verb} a pod");
        }

        var done = await Guarded(async () =>
        {
            await task;
            return true;
        });
        if (!done.IsSuccess)
        {
            return done.Error!;
        }

        return inspectAfter ? await GetAsync(driverName, id, ct) : new PodResponse(driver.Name, id, null, true, null, null, null, "TERMINATED", "notFound", null, null, 0, null, null, null, null, null, false);
    }

    private IPodDriver? Resolve(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : services.GetKeyedService<IPodDriver>(name);

    private static async Task<PodHandle?> FindAsync(IPodDriver driver, string id, CancellationToken ct)
    {
        await foreach (var handle in driver.ListAsync(NoLabels, ct))
        {
            if (handle.PodId == id)
            {
                return handle;
            }
        }

        return null;
    }

    // A driver's failure is the provider's, not ours: 503 with the driver's own words (never secrets, by its contract).
    private static async Task<Result<T>> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PodDriverException ex)
        {
            return new Error(ErrorKind.Unavailable, PodErrorCodes.DriverFailed, ex.Message, Details: new Dictionary<string, object> { ["failure"] = ex.Kind.ToString() });
        }
    }

    private static Error UnknownDriver(string? name) =>
        Error.Validation(FieldPath.Of("driver"), string.IsNullOrWhiteSpace(name) ? "Name the driver (driver=runpod, docker, sandbox)." : $"No driver '{name}' is configured on this server.");

    private static Error Unsupported(string driver, string what) =>
        new(ErrorKind.Conflict, PodErrorCodes.OperationUnsupported, $"The {driver} driver {what}.");

    private PodResponse ToResponse(PodHandle handle, PodStatus status)
    {
        var uptime = status.State == PodState.Running && status.StartedAt is { } started ? (long?)(time.GetUtcNow() - started).TotalSeconds : null;
        return new PodResponse(
            handle.Driver, handle.PodId, null, true,
            handle.Labels.GetValueOrDefault(PodLabels.Kind), handle.Labels.GetValueOrDefault(PodLabels.Owner), handle.Labels.GetValueOrDefault(PodLabels.Id),
            status.State.ToString().ToUpperInvariant(), StateName(status.State), null, null, 0, null, uptime, null, null, null, false);
    }

    private static PodResponse ToResponse(string driver, FleetPod pod) =>
        new(driver, pod.Id, pod.Name, pod.Managed,
            pod.Labels.GetValueOrDefault(PodLabels.Kind), pod.Labels.GetValueOrDefault(PodLabels.Owner), pod.Labels.GetValueOrDefault(PodLabels.Id),
            pod.Status, StateName(pod.State), pod.Image, pod.GpuType, pod.GpuCount, pod.CostPerHour,
            pod.Uptime is { } uptime ? (long)uptime.TotalSeconds : null, pod.GpuUtilPercent, pod.CpuPercent, pod.MemoryPercent, pod.Spot);

    private static string StateName(PodState state) => state switch
    {
        PodState.Pending => "pending",
        PodState.Running => "running",
        PodState.Exited => "exited",
        _ => "notFound",
    };
}
