using System.Security.Claims;
using System.Text;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Web.Tests.Components.Learn;

/// <summary>
/// The student pages' services as the server wires them, in a bUnit context: Core's real services over a real SQLite
/// database (the starter curriculum plus the secret test problems, seeded by the real seeder), the real job queue
/// whose next job a test runs as a worker would, a fake clock, and the scripted executor (the sandbox is not what these
/// tests are about). The signed-in student is a real user row with the claims of the API's token.
/// </summary>
public sealed class LearnHarness : IAsyncDisposable
{
    private LearnHarness(TestDatabase database, BunitContext context, FakeTimeProvider clock, ScriptedCodeExecutor executor, Guid userId)
    {
        Database = database;
        Context = context;
        Clock = clock;
        Executor = executor;
        UserId = userId;
    }

    public TestDatabase Database { get; }

    public BunitContext Context { get; }

    public FakeTimeProvider Clock { get; }

    public ScriptedCodeExecutor Executor { get; }

    public Guid UserId { get; }

    public static async Task<LearnHarness> CreateAsync(BunitContext context, Action<ExecutionOptions>? execution = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var executor = new ScriptedCodeExecutor();
        var services = context.Services;
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs();
        services.AddPoddleExecutions(options => options.Configure(o => execution?.Invoke(o)));
        services.AddPoddleGrading();
        services.AddPoddleProgress();
        services.AddPoddleClasses();
        services.AddPoddleCurriculum();
        services.AddSingleton<ICodeExecutor>(executor);
        services.AddLocalization();
        services.AddSingleton<Poddle.Web.Markdown.MarkdownRenderer>();
        services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;

        var harness = new LearnHarness(database, context, clock, executor, await AddUserAsync(database, clock));

        // Every service is registered before the first is resolved (bUnit's rule).
        var auth = context.AddAuthorization();
        auth.SetAuthorized("student");
        auth.SetClaims(new Claim("sub", harness.UserId.ToString()), new Claim(AccessTokenIssuer.RoleClaim, "student"));
        await harness.InScopeAsync<CurriculumSeeder, (int, int)>(s =>
        {
            var starter = CurriculumLoader.LoadStarter();
            return s.SeedAsync(new CurriculumSet(starter.Levels, [.. starter.Problems, InMemoryProblemCatalog.SecretShout(), InMemoryProblemCatalog.SecretAdd()]), CancellationToken.None);
        });

        return harness;
    }

    public async Task<TResult> InScopeAsync<TService, TResult>(Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Runs the next job of a lane (execution or grading) as its worker would, once the page has queued it.</summary>
    public Task RunNextJobAsync(string kind) =>
        Poll.UntilAsync(
            () => Context.Services.GetRequiredService<JobProcessor>().RunNextAsync(new JobKindFilter([kind], []), CancellationToken.None),
            $"a {kind} job to run");

    /// <summary>A plain run of the student's, as another tab would make it (it counts towards the rate limit).</summary>
    public Task RunElsewhereAsync() =>
        InScopeAsync<ExecutionService, Poddle.Core.Common.Result<Execution>>(s => s.SubmitAsync(
            Submitter.User(UserId, isAdmin: false),
            new ExecutionSubmission("python", [new CodeFile(string.Empty, Encoding.UTF8.GetBytes("print(1)"))]),
            CancellationToken.None));

    private static async Task<Guid> AddUserAsync(TestDatabase database, TimeProvider clock)
    {
        await using var db = database.CreateContext();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = "learner@example.test",
            Username = "learner",
            PasswordHash = "not-a-hash",
            Role = UserRole.Student,
            CreatedAt = clock.GetUtcNow(),
            UpdatedAt = clock.GetUtcNow(),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>
    /// The bUnit context first, asynchronously (MudBlazor has services that only dispose asynchronously; xUnit's later
    /// synchronous Dispose then finds nothing left), then the database.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await Database.DisposeAsync();
    }
}
