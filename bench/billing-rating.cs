#:project ../src/Poddle.Core/Poddle.Core.csproj
#:project ../src/Poddle.Data.Sqlite/Poddle.Data.Sqlite.csproj
#:project ../src/Poddle.Data.Postgres/Poddle.Data.Postgres.csproj
#:property PublishAot=false
// Rating one hour of usage for N running deployments (default 10 000: 2 000 owners × 5 deployments, one replica each,
// running the whole hour), on SQLite and on PostgreSQL, with the real rater (UsageRater.RateHourAsync: meter, one
// charge + ledger debit + balance change per deployment in its own transaction, the hour marked), then the balance
// monitor's pass over every account (BillingMonitor.CheckAllAsync). Reports the wall time of each and the process's
// peak working set (VmHWM) and the managed heap after each phase. Target: rating ≤ 5 s, ≤ 200 MB.
// Each database runs twice: batch 1 (a transaction per charge: the rater before batching) and the default batch.
// Usage (from the repository root): dotnet run -c Release bench/billing-rating.cs -- [sqlite|postgres|both] [deployments]
// PostgreSQL: PODDLE_TEST_POSTGRES or Host=127.0.0.1;Username=poddle;Password=poddle (a scratch database is created and dropped).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Poddle.Core.Accounts;
using Poddle.Core.Alerts;
using Poddle.Core.Billing;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Data.Postgres;
using Poddle.Data.Sqlite;

var which = args.Length > 0 ? args[0] : "both";
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
const int PerOwner = 5;
var hour = new DateTimeOffset(2030, 1, 10, 12, 0, 0, TimeSpan.Zero);

// Batch size 1: a transaction per charge, as the rater did before batching; then the rater's default batch.
foreach (var batchSize in new[] { 1, UsageRater.BatchSize })
{
    if (which is "sqlite" or "both")
    {
        var directory = Directory.CreateTempSubdirectory("poddle-bench-");
        await RunAsync($"SQLite, batch {batchSize}", s => s.AddSqlitePersistence($"Data Source={Path.Combine(directory.FullName, "poddle.db")}"), batchSize);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    if (which is "postgres" or "both")
    {
        var admin = Environment.GetEnvironmentVariable("PODDLE_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=poddle;Password=poddle;Database=postgres";
        var name = "poddle_bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecAsync(admin, $"CREATE DATABASE \"{name}\"");
        try
        {
            await RunAsync($"PostgreSQL, batch {batchSize}", s => s.AddPostgresPersistence(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString), batchSize);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }
}

async Task RunAsync(string label, Action<IServiceCollection> database, int batchSize)
{
    var clock = new SettableClock { Now = hour.AddMinutes(-30) };
    var services = new ServiceCollection();
    database(services);
    services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    services.AddSingleton<TimeProvider>(clock);
    services.AddPoddleJobs();
    services.AddSingleton<IAlertNotifier, LogAlertNotifier>(); // the recorder raises deployment alerts; none fire here
    services.AddSingleton<DeploymentAlerts>();
    services.AddScoped<DeploymentEventRecorder>();
    services.AddPoddleBilling(options => options.Configure(o => o.Enabled = true));
    await using var provider = services.BuildServiceProvider();
    await using (var scope = provider.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Database.MigrateAsync();
    }

    var seed = Stopwatch.StartNew();
    await SeedAsync(provider, clock);
    Console.WriteLine($"{label}: seeded {count} deployments in {seed.Elapsed.TotalSeconds:F1} s");
    GC.Collect();
    var before = PeakWorkingSetMb();

    clock.Now = hour.AddHours(1).AddMinutes(10);
    var watch = Stopwatch.StartNew();
    int charges;
    await using (var scope = provider.CreateAsyncScope())
    {
        charges = await scope.ServiceProvider.GetRequiredService<UsageRater>().RateHourAsync(hour, CancellationToken.None, batchSize);
    }

    var rating = watch.Elapsed;
    var afterRating = PeakWorkingSetMb();
    var heap = GC.GetTotalMemory(false) / 1048576.0;
    watch.Restart();
    await using (var scope = provider.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckAllAsync(CancellationToken.None);
    }

    var monitor = watch.Elapsed;
    long total;
    await using (var scope = provider.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        total = (await db.Set<UsageCharge>().Select(c => c.AmountMinor).ToListAsync()).Sum();
        var ledger = (await db.Set<LedgerEntry>().Select(e => e.AmountMinor).ToListAsync()).Sum();
        var balances = (await db.Set<BillingAccount>().Select(a => a.BalanceMinor).ToListAsync()).Sum();
        if (ledger != balances)
        {
            throw new InvalidOperationException($"ledger {ledger} != balances {balances}");
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label}: rated {charges} charges (total {total}) in {rating.TotalSeconds:F2} s; monitor pass {monitor.TotalSeconds:F2} s; peak working set {before:F0} MB before, {afterRating:F0} MB after rating, {PeakWorkingSetMb():F0} MB at the end; managed heap {heap:F0} MB"));
}

async Task SeedAsync(IServiceProvider provider, SettableClock clock)
{
    var now = clock.GetUtcNow();
    var spec = JsonSerializer.Serialize(
        new DeploymentSpec("web:1", null, null, 8080, new Dictionary<string, string>(), [], new ResourceSpec(250, 128), null),
        ReplicaPods.SpecJsonOptions);
    for (var first = 0; first < count; first += 1000)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        Guid owner = default, project = default;
        for (var i = first; i < Math.Min(count, first + 1000); i++)
        {
            if (i % PerOwner == 0)
            {
                owner = Guid.CreateVersion7();
                project = Guid.CreateVersion7();
                db.Add(new User { Id = owner, Email = $"u{i}@bench.test", Username = $"u{i}", PasswordHash = "x", CreatedAt = now, UpdatedAt = now });
                db.Add(new Project { Id = project, OwnerId = owner, Name = "bench", CreatedAt = now, UpdatedAt = now });
                db.Add(new BillingAccount { OwnerId = owner, Currency = "UZS", BalanceMinor = 0 });
            }

            var deployment = Guid.CreateVersion7();
            db.Add(new Deployment
            {
                Id = deployment, ProjectId = project, OwnerId = owner, Name = $"d{i}", Driver = "sandbox", Replicas = 1, CurrentRevision = 1,
                Status = DeploymentStatus.Running, StatusChangedAt = now, Generation = 1, ObservedGeneration = 1, CreatedAt = now, UpdatedAt = now,
            });
            db.Add(new DeploymentRevision { Id = Guid.CreateVersion7(), DeploymentId = deployment, Number = 1, SpecJson = spec, Cause = "create", CreatedAt = now });
            db.Add(new ReplicaRun { Id = Guid.CreateVersion7(), ReplicaId = Guid.CreateVersion7(), DeploymentId = deployment, Revision = 1, StartedAt = hour.AddMinutes(-30) });
        }

        await db.SaveChangesAsync();
    }

    await using var marker = provider.CreateAsyncScope();
    var context = marker.ServiceProvider.GetRequiredService<PoddleDbContext>();
    context.Add(new RatedHour { HourStart = hour.AddHours(-1), RatedAt = now });
    await context.SaveChangesAsync();
}

static double PeakWorkingSetMb()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    return 0;
}

static async Task ExecAsync(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    await command.ExecuteNonQueryAsync();
}

/// <summary>The bench's clock: set by hand, so the hour is due without waiting for it.</summary>
internal sealed class SettableClock : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
