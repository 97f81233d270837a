using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum;

/// <summary>
/// The real curriculum services on a real test database with a fake clock. <see cref="SecondServerAsync"/> gives another
/// "server" on the same database: its own catalog and cache, as a second process would have.
/// </summary>
public sealed class CurriculumHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _ownsDatabase;

    private CurriculumHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, bool ownsDatabase)
    {
        Database = database;
        _services = services;
        Clock = clock;
        _ownsDatabase = ownsDatabase;
    }

    public static CurriculumCaller Teacher { get; } = new(Guid.Parse("00000000-0000-0000-0000-0000000000a1"), UserRole.Teacher);

    public static CurriculumCaller OtherTeacher { get; } = new(Guid.Parse("00000000-0000-0000-0000-0000000000a2"), UserRole.Teacher);

    public static CurriculumCaller Admin { get; } = new(Guid.Parse("00000000-0000-0000-0000-0000000000ad"), UserRole.Admin);

    public static CurriculumCaller Student { get; } = new(Guid.Parse("00000000-0000-0000-0000-0000000000b1"), UserRole.Student);

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public ProblemCatalog Catalog => _services.GetRequiredService<ProblemCatalog>();

    public static async Task<CurriculumHarness> CreateAsync(DatabaseProvider provider) =>
        Create(await TestDatabase.CreateAsync(provider), ownsDatabase: true);

    /// <summary>Another server on the same database (its own catalog cache); the first harness disposes the database.</summary>
    public Task<CurriculumHarness> SecondServerAsync() => Task.FromResult(Create(Database, ownsDatabase: false, Clock));

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    public async Task<T> WithServiceAsync<T>(Func<ProblemService, Task<T>> action)
    {
        await using var scope = Scope();
        return await action(scope.ServiceProvider.GetRequiredService<ProblemService>());
    }

    public async Task<(int Levels, int Problems)> SeedAsync(CurriculumSet? curriculum = null)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<CurriculumSeeder>().SeedAsync(curriculum, CancellationToken.None);
    }

    public async Task<(int Problems, int Versions, int Levels)> CountRowsAsync()
    {
        await using var db = Database.CreateContext();
        return (await db.Set<StoredProblem>().CountAsync(), await db.Set<StoredProblemVersion>().CountAsync(), await db.Set<StoredLevel>().CountAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    /// <summary>A valid teacher's problem in the starter set's level 1 (11-14), two public and one hidden function test.</summary>
    public static ProblemDraft Draft(string id, string title = "Triple it", string hiddenExpected = "30") => new(
        id,
        title,
        "11-14",
        1,
        "Numbers",
        5,
        ["functions"],
        "Write `triple(x)`.",
        "def triple(x):\n    pass\n",
        null,
        null,
        null,
        "triple",
        [new TestCaseDraft(null, null, "triple(1)", "3", false), new TestCaseDraft(null, null, "triple(2)", "6", false), new TestCaseDraft(null, null, "triple(10)", hiddenExpected, true)],
        null,
        null);

    private static CurriculumHarness Create(TestDatabase database, bool ownsDatabase, FakeTimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<ICodeExecutor>(new ScriptedCodeExecutor());
        services.AddPoddleCurriculum();
        return new CurriculumHarness(database, services.BuildServiceProvider(), clock, ownsDatabase);
    }
}
