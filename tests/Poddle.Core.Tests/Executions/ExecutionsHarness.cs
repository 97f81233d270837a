using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Executions;

/// <summary>The real execution service, queue and handler on a real test database, with a fake clock and a counting executor.</summary>
public sealed class ExecutionsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ExecutionsHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock, CountingExecutor executor)
    {
        Database = database;
        _services = services;
        Clock = clock;
        Executor = executor;
    }

    public TestDatabase Database { get; }

    public FakeTimeProvider Clock { get; }

    public CountingExecutor Executor { get; }

    public IServiceProvider Services => _services;

    public static Submitter Alice { get; } = Submitter.User(Guid.Parse("00000000-0000-0000-0000-00000000a11c"), isAdmin: false);

    public static async Task<ExecutionsHarness> CreateAsync(DatabaseProvider provider, Action<ExecutionOptions>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var executor = new CountingExecutor();
        var services = new ServiceCollection();
        database.AddTo(services);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPoddleJobs();
        services.AddPoddleExecutions(options => options.Configure(o => configure?.Invoke(o)));
        services.AddSingleton<ICodeExecutor>(executor);
        return new ExecutionsHarness(database, services.BuildServiceProvider(), clock, executor);
    }

    public static ExecutionSubmission Python(string code, string? stdin = null, LimitRequest? limits = null) =>
        new("python", [new CodeFile("", Encoding.UTF8.GetBytes(code))], stdin is null ? default : Encoding.UTF8.GetBytes(stdin), null, limits);

    public AsyncServiceScope Scope() => _services.CreateAsyncScope();

    public async Task<global::Poddle.Core.Common.Result<Execution>> SubmitAsync(ExecutionSubmission submission, Submitter? submitter = null)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<ExecutionService>().SubmitAsync(submitter ?? Alice, submission, CancellationToken.None);
    }

    /// <summary>Runs the next job of the execution lane, as its worker would.</summary>
    public Task<bool> RunNextAsync() =>
        _services.GetRequiredService<JobProcessor>().RunNextAsync(new JobKindFilter([ExecutionService.JobKind], []), CancellationToken.None);

    public async Task<Execution> GetAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await db.Set<Execution>().AsNoTracking().SingleAsync(e => e.Id == id);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Python (echo stdin, or exit with the code's number after "exit ") and a compiled "c" that fails to compile "error".</summary>
    public sealed class CountingExecutor : ICodeExecutor
    {
        private int _calls;

        public int Calls => _calls;

        public CodeExecutionRequest? LastRequest { get; private set; }

        public IReadOnlyList<LanguageRuntime> Runtimes { get; } =
        [
            new("python", "3.11.2", ["py", "python3"], false, "main.py", "/usr/bin/python3"),
            new("c", "12.2.0", ["gcc"], true, "main.c", "/usr/bin/gcc"),
        ];

        public ExecutorHealth Health { get; } = new(IsolationStatus.Full, "full isolation (test)");

        public Task<CodeExecutionResult> ExecuteAsync(CodeExecutionRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            LastRequest = request;
            var code = Encoding.UTF8.GetString(request.Files[0].Content.Span);
            if (request.Language == "c")
            {
                var compile = new StepResult(
                    code.Contains("error", StringComparison.Ordinal) ? ExecutionVerdict.CompileError : ExecutionVerdict.Ok,
                    code.Contains("error", StringComparison.Ordinal) ? 1 : 0, null, 50, 60, 9000, [], Encoding.UTF8.GetBytes("main.c:1: error\n"), false, false);
                return Task.FromResult(new CodeExecutionResult("c", "12.2.0", compile, compile.Verdict == ExecutionVerdict.Ok ? Ok(request.Stdin.ToArray()) : null));
            }

            return Task.FromResult(new CodeExecutionResult("python", "3.11.2", null, Ok(request.Stdin.ToArray())));
        }

        public IReadOnlyList<WarmPoolStats> GetPoolStats() => [new("python", 2, 2, 5, 1)];

        private static StepResult Ok(byte[] stdout) => new(ExecutionVerdict.Ok, 0, null, 12, 15, 9800, stdout, [0xff, 0xfe], false, false);
    }
}
