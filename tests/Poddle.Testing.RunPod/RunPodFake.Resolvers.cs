using System.Globalization;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace Poddle.Testing.RunPod;

// The GraphQL resolvers: arguments arrive as GraphQL.NET parsed them (inline literals and variables alike), so nothing
// here matches strings of a query.
public sealed partial class RunPodFake
{
    private const string InternalServerError = "INTERNAL_SERVER_ERROR";

    private Schema BuildSchema() => Schema.For(RunPodFakeSchema.Sdl, builder =>
    {
        var query = builder.Types.For("Query");
        query.FieldFor("myself").Resolver = TopLevel("myself", _ => Myself());
        query.FieldFor("pod").Resolver = TopLevel("pod", ctx => Pod(PodIdOf(ctx)));
        query.FieldFor("gpuTypes").Resolver = TopLevel("gpuTypes", GpuTypes);
        builder.Types.For("GpuType").FieldFor("lowestPrice").Resolver = new FuncFieldResolver<object>(LowestPrice);

        var mutation = builder.Types.For("Mutation");
        mutation.FieldFor("podFindAndDeployOnDemand").Resolver = TopLevel("podFindAndDeployOnDemand", ctx => Rent(Input(ctx), spot: false));
        mutation.FieldFor("podRentInterruptable").Resolver = TopLevel("podRentInterruptable", ctx => Rent(Input(ctx), spot: true));
        mutation.FieldFor("podStop").Resolver = TopLevel("podStop", ctx => Stop(PodIdOf(ctx)));
        mutation.FieldFor("podResume").Resolver = TopLevel("podResume", ctx => Resume(PodIdOf(ctx), bid: null));
        mutation.FieldFor("podBidResume").Resolver = TopLevel("podBidResume", ctx => Resume(PodIdOf(ctx), Number(Input(ctx), "bidPerGpu")));
        mutation.FieldFor("podTerminate").Resolver = TopLevel("podTerminate", ctx => Terminate(PodIdOf(ctx)));
    });

    private FuncFieldResolver<object> TopLevel(string field, Func<IResolveFieldContext, object?> resolve) => new(ctx =>
    {
        _calls.AddOrUpdate(field, 1, (_, count) => count + 1);
        if (Faults.TakeInternalError(field))
        {
            throw new ExecutionError(RunPodFakeFaults.InternalErrorMessage) { Code = InternalServerError };
        }

        return resolve(ctx);
    });

    private RunPodFakeUser Myself()
    {
        var pods = Pods;
        var spend = pods.Where(p => p.DesiredStatus == "RUNNING").Sum(p => p.CostPerHr);
        return new RunPodFakeUser("user_fake", "fake@example.com", pods, Math.Round(ClientBalance, 2), Math.Round(spend, 3));
    }

    private List<RunPodFakeGpuType> GpuTypes(IResolveFieldContext ctx)
    {
        var id = ctx.GetArgument<Dictionary<string, object?>?>("input")?.GetValueOrDefault("id") as string;
        lock (_lock)
        {
            return [.. _gpuTypes.Where(g => id is null || g.Id == id)];
        }
    }

    private RunPodFakeLowestPrice LowestPrice(IResolveFieldContext ctx)
    {
        var gpu = (RunPodFakeGpuType)ctx.Source!;
        var count = (int)(Number(ctx.GetArgument<Dictionary<string, object?>?>("input") ?? [], "gpuCount") ?? 1);
        var secureFree = !Faults.IsDrought(gpu.Id, "SECURE") && gpu.SecureCloud;
        var communityFree = !Faults.IsDrought(gpu.Id, "COMMUNITY") && gpu.CommunityCloud;
        var stock = count > gpu.MaxGpuCount || !(secureFree || communityFree) ? "None" : "High";
        var onDemand = communityFree ? gpu.CommunityPrice : gpu.SecurePrice;
        var spot = communityFree ? gpu.CommunitySpotPrice : gpu.SecureSpotPrice;
        return new RunPodFakeLowestPrice(gpu.DisplayName, gpu.Id, spot, onDemand, stock);
    }

    private RunPodFakePod Rent(Dictionary<string, object?> input, bool spot)
    {
        var gpuTypeId = input.GetValueOrDefault("gpuTypeId") as string;
        var count = (int)(Number(input, "gpuCount") ?? 1);
        var cloud = input.GetValueOrDefault("cloudType")?.ToString() ?? "ALL";
        var gpu = gpuTypeId is null ? null : GpuTypeOf(gpuTypeId);
        if (gpu is null || count < 1 || count > gpu.MaxGpuCount)
        {
            throw new ExecutionError(RunPodFakeFaults.NoInstancesMessage);
        }

        var placed = Place(gpu, cloud) ?? throw new ExecutionError(RunPodFakeFaults.NoInstancesMessage);
        if (Number(input, "containerDiskInGb") is > 2000 || Number(input, "volumeInGb") is > 4000)
        {
            throw new ExecutionError(RunPodFakeFaults.NoDiskMessage);
        }

        double? bid = null;
        if (spot)
        {
            bid = Number(input, "bidPerGpu");
            var lowest = placed == "SECURE" ? gpu.SecureSpotPrice : gpu.CommunitySpotPrice;
            if (bid is null || bid < lowest)
            {
                throw new ExecutionError($"Your bid price of {bid ?? 0} is lower than the current minimum bid of {lowest}.");
            }
        }

        var env = (input.GetValueOrDefault("env") as IEnumerable<object?> ?? [])
            .OfType<IDictionary<string, object?>>()
            .Select(e => $"{e["key"]}={e["value"]}")
            .ToList();
        lock (_lock)
        {
            var pod = NewPod(input, env, gpu, placed, bid);
            _pods[pod.Id] = pod;
            return pod;
        }
    }

    private string? Place(RunPodFakeGpuType gpu, string cloud)
    {
        string[] candidates = cloud switch { "SECURE" => ["SECURE"], "COMMUNITY" => ["COMMUNITY"], _ => ["SECURE", "COMMUNITY"] };
        return candidates.FirstOrDefault(c => (c == "SECURE" ? gpu.SecureCloud : gpu.CommunityCloud) && !Faults.IsDrought(gpu.Id, c));
    }

    private RunPodFakePod NewPod(Dictionary<string, object?> input, IReadOnlyList<string> env, RunPodFakeGpuType gpu, string cloud, double? bid)
    {
        var now = Time.GetUtcNow();
        var count = (int)(Number(input, "gpuCount") ?? 1);
        return new RunPodFakePod(Time)
        {
            Id = NewId(),
            Name = input.GetValueOrDefault("name") as string,
            ImageName = input.GetValueOrDefault("imageName") as string,
            DockerArgs = input.GetValueOrDefault("dockerArgs") as string ?? string.Empty,
            Env = env,
            GpuType = gpu,
            GpuCount = count,
            VcpuCount = Math.Max(Number(input, "minVcpuCount") ?? 0, 4 * count),
            MemoryInGb = Math.Max(Number(input, "minMemoryInGb") ?? 0, 15 * count),
            ContainerDiskInGb = (int)(Number(input, "containerDiskInGb") ?? 20),
            VolumeInGb = Number(input, "volumeInGb") ?? 0,
            VolumeMountPath = input.GetValueOrDefault("volumeMountPath") as string ?? "/workspace",
            Ports = input.GetValueOrDefault("ports") as string,
            CloudType = cloud,
            Interruptible = bid is not null,
            BidPerGpu = bid ?? 0,
            RunningAt = now + StartDelay,
            ChangedAt = now,
        };
    }

    private RunPodFakePod? Stop(string podId)
    {
        lock (_lock)
        {
            var pod = Existing(podId);
            pod.Stopped = true;
            pod.LastChange = "Exited by user";
            pod.ChangedAt = Time.GetUtcNow();
            return pod;
        }
    }

    private RunPodFakePod? Resume(string podId, double? bid)
    {
        lock (_lock)
        {
            var pod = Existing(podId);
            if (pod.Interruptible != bid is not null)
            {
                throw new ExecutionError(pod.Interruptible ? "Cannot resume a spot pod as an on-demand pod: use podBidResume." : "Cannot bid on an on-demand pod: use podResume.");
            }

            if (!pod.Stopped)
            {
                return pod;
            }

            if (Faults.IsDrought(pod.GpuType.Id, pod.CloudType))
            {
                throw new ExecutionError(RunPodFakeFaults.NoInstancesMessage);
            }

            var now = Time.GetUtcNow();
            pod.Stopped = false;
            pod.BidPerGpu = bid ?? pod.BidPerGpu;
            pod.RunningAt = now + StartDelay;
            pod.LastChange = "Resumed by user";
            pod.ChangedAt = now;
            return pod;
        }
    }

    private string? Terminate(string podId)
    {
        lock (_lock)
        {
            Existing(podId);
            _pods.Remove(podId);
            return null;
        }
    }

    private RunPodFakePod Existing(string podId) =>
        _pods.TryGetValue(podId, out var pod) ? pod : throw new ExecutionError("pod not found") { Code = "BAD_USER_INPUT" };

    private RunPodFakeGpuType? GpuTypeOf(string id)
    {
        lock (_lock)
        {
            return _gpuTypes.FirstOrDefault(g => g.Id == id);
        }
    }

    private static Dictionary<string, object?> Input(IResolveFieldContext ctx) => ctx.GetArgument<Dictionary<string, object?>?>("input") ?? [];

    private static string PodIdOf(IResolveFieldContext ctx) => Input(ctx).GetValueOrDefault("podId") as string ?? string.Empty;

    private static double? Number(Dictionary<string, object?> input, string key) =>
        input.TryGetValue(key, out var value) && value is not null ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : null;

    // RunPod's ids are 14 lower-case letters and digits.
    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(14, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
