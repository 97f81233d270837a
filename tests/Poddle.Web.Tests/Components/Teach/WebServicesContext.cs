using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using MudBlazor;
using MudBlazor.Services;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;
using Poddle.Web.Markdown;

namespace Poddle.Web.Tests.Components.Teach;

/// <summary>
/// A bUnit context with Core's real services (classes, progress, curriculum with the starter set seeded, user
/// administration) over a real SQLite database; only code execution is scripted (<see cref="Executor"/>). Pages render
/// in English. <see cref="SignIn"/> sets the user the pages see, with the claims the sign-in cookie carries.
/// </summary>
public abstract class WebServicesContext : BunitContext, IAsyncLifetime
{
    private TestDatabase? _database;
    private BunitAuthorizationContext? _authorization;

    protected WebServicesContext()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        JSInterop.Mode = JSRuntimeMode.Loose;

        // Renders wait on a real database (and, for the problem form, a grading run); a busy machine is slow, not wrong.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
    }

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    protected ScriptedCodeExecutor Executor { get; } = new();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _database.AddTo(Services);
        Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<ICodeExecutor>(Executor);
        Services.AddPoddleClasses();
        Services.AddPoddleCurriculum();
        Services.AddPoddleJobs();
        Services.AddPoddleEmail();
        Services.AddPoddleAccounts(options => options.Configure(o => o.PasswordWorkFactor = 10));
        Services.AddSingleton(new AccessTokenSigningKey(RandomNumberGenerator.GetBytes(32)));
        Services.AddSingleton(new SecretEncryptionKey(RandomNumberGenerator.GetBytes(32)));
        Services.AddSingleton<MarkdownRenderer>();
        Services.AddLocalization();
        Services.AddMudServices();
        _authorization = AddAuthorization();
        await WithAsync<CurriculumSeeder, (int, int)>(s => s.SeedAsync(null, CancellationToken.None));

        // Selects and menus open in the popover provider the layout has.
        Render<MudPopoverProvider>();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Signs <paramref name="userId"/> in with <paramref name="role"/>.</summary>
    protected void SignIn(Guid userId, UserRole role)
    {
        var auth = _authorization ?? throw new InvalidOperationException("Not initialized.");
        auth.SetAuthorized(userId.ToString());
        auth.SetRoles(Roles.NameOf(role));
        auth.SetClaims(new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()));
    }

    /// <summary>Adds a user row and returns its id.</summary>
    protected async Task<Guid> AddUserAsync(string username, UserRole role = UserRole.Student)
    {
        await using var db = Database.CreateContext();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = username + "@example.test",
            Username = username,
            PasswordHash = "not-a-hash",
            Role = role,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>A class of <paramref name="teacherId"/> that <paramref name="students"/> joined.</summary>
    protected async Task<Classroom> AddClassAsync(Guid teacherId, string name, params Guid[] students)
    {
        var created = await WithAsync<ClassService, Result<ClassView>>(s => s.CreateAsync(new ClassCaller(teacherId, UserRole.Teacher), name, CancellationToken.None));
        foreach (var student in students)
        {
            await WithAsync<ClassService, Result<ClassView>>(s => s.JoinAsync(new ClassCaller(student, UserRole.Student), created.Value.Class.JoinCode, CancellationToken.None));
        }

        return created.Value.Class;
    }

    /// <summary>A graded submission of <paramref name="studentId"/>, recorded in progress as the grading handler records it.</summary>
    protected async Task<Submission> AddGradedAsync(Guid studentId, string problemId, string code, IReadOnlyList<CaseResult> cases)
    {
        var result = GradingResult.Of(problemId, cases);
        var submission = new Submission
        {
            Id = Guid.CreateVersion7(),
            OwnerId = studentId,
            RateKey = "user:" + studentId,
            ProblemId = problemId,
            ProblemVersion = 1,
            Language = "python",
            Code = code,
            Status = SubmissionStatus.Completed,
            ResultJson = StoredGradingResult.ToJson(result),
            Passed = result.Passed,
            Total = result.Total,
            PassRate = result.PassRate,
            AllPassed = result.AllPassed,
            CreatedAt = DateTimeOffset.UtcNow,
            CompletedAt = DateTimeOffset.UtcNow,
        };
        await using var scope = Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        db.Add(submission);
        await scope.ServiceProvider.GetRequiredService<ProgressService>().ApplyGradedAsync(submission, DateTimeOffset.UtcNow, CancellationToken.None);
        await db.SaveChangesAsync();
        return submission;
    }

    /// <summary>The first problem of the starter curriculum (11-14, level 1).</summary>
    protected static Problem FirstStarterProblem() => CurriculumLoader.LoadStarter().Problems[0];
}
