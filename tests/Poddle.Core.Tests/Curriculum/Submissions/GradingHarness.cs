using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum.Submissions;

/// <summary>
/// Grading, progress and classes as the server wires them (real queue, real database, the in-memory catalog with the
/// starter curriculum and the secret test problems), on a fake clock and an executor the test chooses.
/// </summary>
public sealed class GradingHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private GradingHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, InMemoryProblemCatalog catalog)
    {
        Database = database;
        _services = services;
        Clock = clock;
        Catalog = catalog;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public InMemoryProblemCatalog Catalog { get; }

    public static async Task<GradingHarness> CreateAsync(
        DatabaseProvider provider, ICodeExecutor? executor = null, Action<ExecutionOptions>? execution = null, Action<GradingOptions>? grading = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var catalog = new InMemoryProblemCatalog(InMemoryProblemCatalog.SecretAdd(), InMemoryProblemCatalog.SecretShout());
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs();
        services.AddPoddleExecutions(options => options.Configure(o => execution?.Invoke(o)));
        services.AddPoddleGrading(options => options.Configure(o => grading?.Invoke(o)));
        services.AddPoddleProgress();
        services.AddPoddleClasses();
        services.AddSingleton<IProblemCatalog>(catalog);
        services.AddSingleton<ICodeExecutor>(executor ?? new ScriptedCodeExecutor());
        return new GradingHarness(database, services.BuildServiceProvider(), clock, catalog);
    }

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    /// <summary>Adds a user row (classes refer to users) and returns their id.</summary>
    public async Task<Guid> AddUserAsync(string username, UserRole role = UserRole.Student)
    {
        await using var db = Database.CreateContext();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = username + "@example.test",
            Username = username,
            PasswordHash = "not-a-hash",
            Role = role,
            CreatedAt = Clock.GetUtcNow(),
            UpdatedAt = Clock.GetUtcNow(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    public async Task<Result<Submission>> SubmitAsync(Guid userId, string? code, string? problemId = "secret-add", string? language = null, bool admin = false)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<SubmissionService>()
            .SubmitAsync(Submitter.User(userId, admin), new GradeSubmission(code, problemId, language), CancellationToken.None);
    }

    public async Task<Result<Execution>> RunAsync(Guid userId, string code = "print(1)")
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<ExecutionService>().SubmitAsync(
            Submitter.User(userId, isAdmin: false),
            new ExecutionSubmission("python", [new CodeFile("", Encoding.UTF8.GetBytes(code))]),
            CancellationToken.None);
    }

    /// <summary>Runs the next job of the grading lane, as its worker would.</summary>
    public Task<bool> GradeNextAsync() =>
        _services.GetRequiredService<JobProcessor>().RunNextAsync(new JobKindFilter([SubmissionService.JobKind], []), CancellationToken.None);

    /// <summary>Runs the grading handler directly, as a redelivered job would.</summary>
    public async Task RedeliverAsync(Guid submissionId)
    {
        await using var scope = Scope();
        var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(SubmissionService.JobKind);
        await handler.HandleAsync(new JobContext(Guid.NewGuid(), SubmissionService.JobKind, submissionId.ToString(), 2, 3, "again"), CancellationToken.None);
    }

    public async Task<Submission> GetAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await db.Set<Submission>().AsNoTracking().SingleAsync(s => s.Id == id);
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Scope();
        return await action(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
