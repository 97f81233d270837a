using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools;

public sealed class PoolServiceTests
{
    private const string SecretValue = "pool-secret-value-never-shown-9Q";

    private static NewPool Gpu(string name = "gpu") => new(
        name,
        Image: "ghcr.io/example/worker:1",
        Env: new Dictionary<string, string> { ["MODE"] = "prod" },
        Secrets: new Dictionary<string, string> { ["HF_TOKEN"] = SecretValue },
        MinWorkers: 0,
        MaxWorkers: 2,
        Scaler: new PoolScalerInput(PoolScalerTypes.RequestCount, 4));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_Valid_StoresSpecKnobsAndEncryptedSecrets(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");

        var created = await harness.CreatePoolAsync(alice, Gpu());

        Assert.True(created.IsSuccess, created.Error?.Message);
        var pool = created.Value.Pool;
        Assert.Equal(("gpu", "docker", 0, 2), (pool.Name, pool.Driver, pool.MinWorkers, pool.MaxWorkers));
        Assert.Equal((PoolScalerTypes.RequestCount, 4), (pool.ScalerType, pool.ScalerValue));
        Assert.Equal((PoolValidation.DefaultIdleTimeoutSeconds, PoolValidation.DefaultExecutionTimeoutSeconds, PoolValidation.DefaultTtlSeconds), (pool.IdleTimeoutSeconds, pool.ExecutionTimeoutSeconds, pool.TtlSeconds));
        Assert.Equal(["HF_TOKEN"], created.Value.Spec.SecretKeys);
        Assert.Equal(new ResourceSpec(250, 256), created.Value.Spec.Resources);

        await using var db = harness.Database.CreateContext();
        var stored = await db.Pools.SingleAsync();
        Assert.DoesNotContain(SecretValue, stored.SpecJson, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, Encoding.UTF8.GetString(stored.SecretsCiphertext!), StringComparison.Ordinal);
        Assert.Equal(SecretValue, harness.Services.GetRequiredService<SecretProtector>().Unprotect(stored.SecretsCiphertext)["HF_TOKEN"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_InvalidKnobs_NamesEachField(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");

        var refused = await harness.CreatePoolAsync(alice, new NewPool(
            "Not A Label",
            Command: ["python3", "handler.py"],
            Env: new Dictionary<string, string> { ["PODDLE_X"] = "1" },
            MinWorkers: 3,
            MaxWorkers: 2,
            Scaler: new PoolScalerInput("cpu"),
            IdleTimeout: 0,
            ScaleDownWindow: 100_000,
            Ttl: 1,
            MaxRetries: 99));

        Assert.False(refused.IsSuccess);
        Assert.Equal(ErrorKind.Validation, refused.Error.Kind);
        Assert.Equal(
            ["Env['PODDLE_X']", "IdleTimeout", "MaxRetries", "MaxWorkers", "Name", "ScaleDownWindow", "Scaler.Type", "Ttl"],
            refused.Error.Fields!.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_MaxZero_IsRefusedAndMinAboveMaxNamesTheFieldGiven(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");

        var zero = await harness.CreatePoolAsync(alice, Gpu() with { MaxWorkers = 0 });
        var negative = await harness.CreatePoolAsync(alice, Gpu() with { MinWorkers = -1 });

        Assert.Equal(["MaxWorkers"], zero.Error!.Fields!.Keys);
        Assert.Equal(["MinWorkers"], negative.Error!.Fields!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateAndUpdate_BudgetPerHour_StoredAndANegativeOneNamesTheField(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");

        var negative = await harness.CreatePoolAsync(alice, Gpu() with { BudgetPerHour = -0.01m });
        var created = await harness.CreatePoolAsync(alice, Gpu() with { BudgetPerHour = 2.5m });
        var updated = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.UpdateAsync(alice, created.Value.Pool.Id, new PoolChanges(BudgetPerHour: 0.75m), CancellationToken.None));
        var refused = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.UpdateAsync(alice, created.Value.Pool.Id, new PoolChanges(BudgetPerHour: -1m), CancellationToken.None));

        Assert.Equal(["BudgetPerHour"], negative.Error!.Fields!.Keys);
        Assert.Equal(2.5m, created.Value.Pool.BudgetPerHour);
        Assert.Equal(0.75m, updated.Value.Pool.BudgetPerHour);
        Assert.Equal(["BudgetPerHour"], refused.Error!.Fields!.Keys);
        await using var db = harness.Database.CreateContext();
        Assert.Equal(0.75m, (await db.Pools.SingleAsync()).BudgetPerHour);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_OverTheTier_IsForbiddenNamingMaxWorkersOrResources(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");

        // The free tier allows 2 replicas, 1000 millicores and 512 MiB each (DeploymentOptions.Tiers).
        var tooMany = await harness.CreatePoolAsync(alice, Gpu() with { MaxWorkers = 3 });
        var tooBig = await harness.CreatePoolAsync(alice, Gpu() with { Resources = new ResourcesInput(MemoryMb: 4096) });

        Assert.Equal((ErrorKind.Forbidden, DeploymentErrorCodes.TierLimit), (tooMany.Error!.Kind, tooMany.Error.Code));
        Assert.Equal(["MaxWorkers"], tooMany.Error.Fields!.Keys);
        Assert.Equal(["Resources.MemoryMb"], tooBig.Error!.Fields!.Keys);

        var pro = await harness.CreateUserAsync("pro", UserTier.Pro);
        Assert.True((await harness.CreatePoolAsync(pro, Gpu() with { MaxWorkers = 10 })).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OtherOwner_GetUpdateScaleDelete_AreNotFound(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var mallory = await harness.CreateUserAsync("mallory");
        var pool = (await harness.CreatePoolAsync(alice, Gpu())).Value.Pool.Id;

        var get = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.GetAsync(mallory, pool, CancellationToken.None));
        var update = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.UpdateAsync(mallory, pool, new PoolChanges(MaxRetries: 1), CancellationToken.None));
        var scale = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.ScaleAsync(mallory, pool, 1, 1, CancellationToken.None));
        var delete = await harness.WithAsync<Result<bool>, PoolService>(s => s.DeleteAsync(mallory, pool, CancellationToken.None));
        var list = await harness.WithAsync<IReadOnlyList<PoolView>, PoolService>(s => s.ListAsync(mallory, CancellationToken.None));

        Assert.All([get.Error, update.Error, scale.Error, delete.Error], e => Assert.Equal(ErrorKind.NotFound, e!.Kind));
        Assert.Empty(list);
        Assert.True((await harness.WithAsync<Result<PoolView>, PoolService>(s => s.GetAsync(alice, pool, CancellationToken.None))).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task UpdateAndScale_MergeEnvAndSecrets_KeepTheRulesAndBumpGeneration(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = (await harness.CreatePoolAsync(alice, Gpu())).Value.Pool.Id;

        var updated = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.UpdateAsync(alice, pool, new PoolChanges(
            Env: new Dictionary<string, string?> { ["MODE"] = null, ["LEVEL"] = "debug" },
            Secrets: new Dictionary<string, string?> { ["OTHER"] = "x" },
            Scaler: new PoolScalerInput(PoolScalerTypes.QueueDelay)), CancellationToken.None));
        var scaled = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.ScaleAsync(alice, pool, 1, null, CancellationToken.None));
        var belowMin = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.ScaleAsync(alice, pool, null, 0, CancellationToken.None));
        var minAboveMax = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.ScaleAsync(alice, pool, 2, 1, CancellationToken.None));
        var nothing = await harness.WithAsync<Result<PoolView>, PoolService>(s => s.UpdateAsync(alice, pool, new PoolChanges(), CancellationToken.None));

        Assert.True(updated.IsSuccess, updated.Error?.Message);
        Assert.Equal(new Dictionary<string, string> { ["LEVEL"] = "debug" }, updated.Value.Spec.Env);
        Assert.Equal(["HF_TOKEN", "OTHER"], updated.Value.Spec.SecretKeys);
        Assert.Equal((PoolScalerTypes.QueueDelay, PoolValidation.DefaultQueueDelaySeconds), (updated.Value.Pool.ScalerType, updated.Value.Pool.ScalerValue));
        Assert.True(scaled.IsSuccess, scaled.Error?.Message);
        Assert.Equal((1, 2, 3L), (scaled.Value.Pool.MinWorkers, scaled.Value.Pool.MaxWorkers, scaled.Value.Pool.Generation));
        Assert.Equal(["MaxWorkers"], belowMin.Error!.Fields!.Keys);
        Assert.Equal(["MaxWorkers"], minAboveMax.Error!.Fields!.Keys);
        Assert.Equal(["PoolChanges"], nothing.Error!.Fields!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_SameNameTwice_IsAConflictAndDeleteFreesTheName(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var first = (await harness.CreatePoolAsync(alice, Gpu())).Value.Pool.Id;

        var again = await harness.CreatePoolAsync(alice, Gpu());
        var deleted = await harness.WithAsync<Result<bool>, PoolService>(s => s.DeleteAsync(alice, first, CancellationToken.None));
        var reused = await harness.CreatePoolAsync(alice, Gpu());

        Assert.Equal(PoolErrorCodes.NameTaken, again.Error!.Code);
        Assert.True(deleted.IsSuccess);
        Assert.True(reused.IsSuccess, reused.Error?.Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Delete_TakesItsJobsStreamChunksAndWorkerKeysWithIt(DatabaseProvider provider)
    {
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w");
        var job = (await PoolJobServiceTests.Submit(harness, alice, pool, new PoolJobSubmission("1"))).Value;
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostStreamAsync(worker, job.Id, """{"output":1}""", CancellationToken.None));

        var deleted = await harness.WithAsync<Result<bool>, PoolService>(s => s.DeleteAsync(alice, pool, CancellationToken.None));

        Assert.True(deleted.IsSuccess);
        await using var db = harness.Database.CreateContext();
        Assert.False(await db.PoolJobs.AnyAsync());
        Assert.False(await db.Set<PoolJobStreamChunk>().AnyAsync());
        Assert.False(await db.Set<PoolWorkerKey>().AnyAsync());
        Assert.Null(await harness.WithAsync<PoolWorkerKey?, PoolWorkerProtocol>(p => p.AuthenticateAsync("pwk_unknown", CancellationToken.None)));
    }
}
