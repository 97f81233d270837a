using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Tests.Curriculum.Submissions;
using Poddle.Testing;

namespace Poddle.Core.Tests.Progress;

public sealed class LearnerPreferenceServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SetAgeGroup_RememberedPerUser_OnlyTheCurriculumsGroups(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var student = Guid.NewGuid();
        Task<T> With<T>(Func<LearnerPreferenceService, Task<T>> action) => harness.WithAsync(sp => action(sp.GetRequiredService<LearnerPreferenceService>()));

        var before = await With(s => s.AgeGroupAsync(student, CancellationToken.None));
        await With(s => s.SetAgeGroupAsync(student, "11-14", CancellationToken.None));
        var changed = await With(s => s.SetAgeGroupAsync(student, "15-18", CancellationToken.None));
        var unknown = await With(s => s.SetAgeGroupAsync(student, "3-5", CancellationToken.None));

        Assert.Null(before);
        Assert.True(changed.IsSuccess);
        Assert.Equal((ErrorKind.Validation, "ageGroup"), (unknown.Error!.Kind, unknown.Error.Fields!.Keys.Single()));
        Assert.Equal("15-18", await With(s => s.AgeGroupAsync(student, CancellationToken.None)));
        Assert.Null(await With(s => s.AgeGroupAsync(Guid.NewGuid(), CancellationToken.None)));
    }
}
