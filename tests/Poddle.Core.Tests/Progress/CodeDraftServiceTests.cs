using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Tests.Curriculum.Submissions;
using Poddle.Testing;

namespace Poddle.Core.Tests.Progress;

public sealed class CodeDraftServiceTests
{
    private static Task<T> With<T>(GradingHarness harness, Func<CodeDraftService, Task<T>> action) =>
        harness.WithAsync(sp => action(sp.GetRequiredService<CodeDraftService>()));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Save_KeptPerUserProblemAndLanguage_AndReplacedBySavingAgain(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var student = Guid.NewGuid();
        var other = Guid.NewGuid();

        var none = await With(harness, s => s.GetAsync(student, "secret-shout", null, CancellationToken.None));
        await With(harness, s => s.SaveAsync(student, "secret-shout", null, "print(1)", CancellationToken.None));
        await With(harness, s => s.SaveAsync(student, "secret-shout", "gcc", "int main(){}", CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        var replaced = await With(harness, s => s.SaveAsync(student, "secret-shout", "py", "print(2)", CancellationToken.None));

        var python = await With(harness, s => s.GetAsync(student, "secret-shout", "python", CancellationToken.None));
        var c = await With(harness, s => s.GetAsync(student, "secret-shout", "c", CancellationToken.None));
        var theirs = await With(harness, s => s.GetAsync(other, "secret-shout", null, CancellationToken.None));

        Assert.Equal(ErrorKind.NotFound, none.Error!.Kind);
        Assert.Equal(("python", "print(2)", harness.Clock.GetUtcNow()), (replaced.Value.Language, python.Value.Code, python.Value.UpdatedAt));
        Assert.Equal(("c", "int main(){}"), (c.Value.Language, c.Value.Code));
        Assert.Equal(ErrorKind.NotFound, theirs.Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Save_OverTheExecutionSourceLimitOrForAnUnknownProblemOrLanguage_Refused(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider, execution: o => o.MaxCodeBytes = 1024);
        harness.Catalog.Put(InMemoryProblemCatalog.SecretAdd("old-add"));
        harness.Catalog.Archive("old-add");
        var student = Guid.NewGuid();

        var atLimit = await With(harness, s => s.SaveAsync(student, "secret-add", null, new string('x', 1024), CancellationToken.None));
        var over = await With(harness, s => s.SaveAsync(student, "secret-add", null, new string('é', 513), CancellationToken.None));
        var unknown = await With(harness, s => s.SaveAsync(student, "no-such-problem", null, "x", CancellationToken.None));
        var archived = await With(harness, s => s.SaveAsync(student, "old-add", null, "x", CancellationToken.None));
        var language = await With(harness, s => s.SaveAsync(student, "secret-add", "cobol", "x", CancellationToken.None));
        var missing = await With(harness, s => s.SaveAsync(student, "secret-add", null, null, CancellationToken.None));
        var empty = await With(harness, s => s.SaveAsync(student, "secret-add", null, string.Empty, CancellationToken.None));

        Assert.True(atLimit.IsSuccess);
        Assert.Equal((ErrorKind.TooLarge, "code"), (over.Error!.Kind, over.Error.Fields!.Keys.Single()));
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, archived.Error!.Kind);
        Assert.Equal((ErrorKind.Validation, "language"), (language.Error!.Kind, language.Error.Fields!.Keys.Single()));
        Assert.Equal((ErrorKind.Validation, "code"), (missing.Error!.Kind, missing.Error.Fields!.Keys.Single()));
        Assert.True(empty.IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Delete_RemovesOnlyThatDraft_AndIsIdempotent(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var student = Guid.NewGuid();
        var other = Guid.NewGuid();
        await With(harness, s => s.SaveAsync(student, "secret-shout", null, "mine", CancellationToken.None));
        await With(harness, s => s.SaveAsync(student, "secret-shout", "c", "mine in c", CancellationToken.None));
        await With(harness, s => s.SaveAsync(other, "secret-shout", null, "theirs", CancellationToken.None));

        var first = await With(harness, s => s.DeleteAsync(student, "secret-shout", null, CancellationToken.None));
        var second = await With(harness, s => s.DeleteAsync(student, "secret-shout", null, CancellationToken.None));

        Assert.Equal((true, false), (first.Value, second.Value));
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.GetAsync(student, "secret-shout", null, CancellationToken.None))).Error!.Kind);
        Assert.Equal("mine in c", (await With(harness, s => s.GetAsync(student, "secret-shout", "c", CancellationToken.None))).Value.Code);
        Assert.Equal("theirs", (await With(harness, s => s.GetAsync(other, "secret-shout", null, CancellationToken.None))).Value.Code);
    }
}
