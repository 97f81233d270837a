using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Tests.Curriculum.Submissions;
using Poddle.Testing;

namespace Poddle.Core.Tests.Classes;

public sealed class ClassServiceTests
{
    private static Task<T> With<T>(GradingHarness harness, Func<ClassService, Task<T>> action) =>
        harness.WithAsync(sp => action(sp.GetRequiredService<ClassService>()));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateJoinList_TeacherSeesTheCodeStudentsDoNot(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var teacher = new ClassCaller(await harness.AddUserAsync("ms-rivera", UserRole.Teacher), UserRole.Teacher);
        var student = new ClassCaller(await harness.AddUserAsync("sam"), UserRole.Student);
        var member = new ClassCaller(await harness.AddUserAsync("max", UserRole.Member), UserRole.Member);
        var admin = new ClassCaller(await harness.AddUserAsync("root", UserRole.Admin), UserRole.Admin);

        var byStudent = await With(harness, s => s.CreateAsync(student, "7B", CancellationToken.None));
        var noName = await With(harness, s => s.CreateAsync(teacher, "  ", CancellationToken.None));
        var created = (await With(harness, s => s.CreateAsync(teacher, " 7B maths ", CancellationToken.None))).Value;
        var code = created.Class.JoinCode;

        Assert.Equal(ErrorKind.Forbidden, byStudent.Error!.Kind);
        Assert.Equal("name", noName.Error!.Fields!.Keys.Single());
        Assert.Equal("7B maths", created.Class.Name);
        Assert.Matches($"^[{ClassService.JoinCodeAlphabet}]{{{ClassService.JoinCodeLength}}}$", code);

        var joined = await With(harness, s => s.JoinAsync(student, code[..4].ToLowerInvariant() + "-" + code[4..], CancellationToken.None));
        var twice = await With(harness, s => s.JoinAsync(student, code, CancellationToken.None));
        Assert.True((await With(harness, s => s.JoinAsync(member, code, CancellationToken.None))).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.JoinAsync(student, "ZZZZZZZZ", CancellationToken.None))).Error!.Kind);
        Assert.Equal("code", (await With(harness, s => s.JoinAsync(student, " ", CancellationToken.None))).Error!.Fields!.Keys.Single());
        Assert.Equal(ErrorKind.Forbidden, (await With(harness, s => s.JoinAsync(admin, code, CancellationToken.None))).Error!.Kind);
        Assert.Equal("own-class", (await With(harness, s => s.JoinAsync(teacher, code, CancellationToken.None))).Error!.Code);

        Assert.Equal((created.Class.Id, false, 1), (joined.Value.Class.Id, joined.Value.ShowJoinCode, joined.Value.Students));
        Assert.Equal(1, twice.Value.Students);
        var teacherList = await With(harness, s => s.ListAsync(teacher, CancellationToken.None));
        var studentList = await With(harness, s => s.ListAsync(student, CancellationToken.None));
        var adminList = await With(harness, s => s.ListAsync(admin, CancellationToken.None));
        Assert.Equal(("ms-rivera", true, 2), (teacherList.Single().TeacherUsername, teacherList.Single().ShowJoinCode, teacherList.Single().Students));
        Assert.False(studentList.Single().ShowJoinCode);
        Assert.True(adminList.Single().ShowJoinCode);
        var nobody = new ClassCaller(await harness.AddUserAsync("nobody"), UserRole.Student);
        Assert.Empty(await With(harness, s => s.ListAsync(nobody, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ProgressAndRemove_TheClassesTeacherOrAnAdminOnly(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var teacher = new ClassCaller(await harness.AddUserAsync("mr-okafor", UserRole.Teacher), UserRole.Teacher);
        var otherTeacher = new ClassCaller(await harness.AddUserAsync("ms-lee", UserRole.Teacher), UserRole.Teacher);
        var admin = new ClassCaller(await harness.AddUserAsync("root", UserRole.Admin), UserRole.Admin);
        var ana = new ClassCaller(await harness.AddUserAsync("ana"), UserRole.Student);
        var ben = new ClassCaller(await harness.AddUserAsync("ben"), UserRole.Student);
        var outsider = await harness.AddUserAsync("zed");
        var created = (await With(harness, s => s.CreateAsync(teacher, "8A", CancellationToken.None))).Value;
        await With(harness, s => s.JoinAsync(ana, created.Class.JoinCode, CancellationToken.None));
        await With(harness, s => s.JoinAsync(ben, created.Class.JoinCode, CancellationToken.None));
        await harness.WithAsync(sp => sp.GetRequiredService<ProgressService>().RecordAttemptAsync(ana.UserId, "secret-add", CancellationToken.None));
        await harness.WithAsync(sp => sp.GetRequiredService<ProgressService>().RecordAttemptAsync(outsider, "secret-add", CancellationToken.None));

        var view = (await With(harness, s => s.ProgressAsync(teacher, created.Class.Id, CancellationToken.None))).Value;

        Assert.Equal(["ana", "ben"], view.Students.Select(s => s.Student.Username));
        Assert.Equal((0, 1), (view.Students[0].Summary.Solved, view.Students[0].Summary.Attempted));
        Assert.Equal("secret-add", view.Students[0].Problems.Single().ProblemId);
        Assert.Empty(view.Students[1].Problems);
        Assert.True((await With(harness, s => s.ProgressAsync(admin, created.Class.Id, CancellationToken.None))).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.ProgressAsync(otherTeacher, created.Class.Id, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.ProgressAsync(ana, created.Class.Id, CancellationToken.None))).Error!.Kind);

        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.RemoveStudentAsync(otherTeacher, created.Class.Id, ben.UserId, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.RemoveStudentAsync(ana, created.Class.Id, ben.UserId, CancellationToken.None))).Error!.Kind);
        Assert.True((await With(harness, s => s.RemoveStudentAsync(teacher, created.Class.Id, ben.UserId, CancellationToken.None))).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await With(harness, s => s.RemoveStudentAsync(teacher, created.Class.Id, ben.UserId, CancellationToken.None))).Error!.Kind);
        Assert.Equal(["ana"], (await With(harness, s => s.ProgressAsync(teacher, created.Class.Id, CancellationToken.None))).Value.Students.Select(s => s.Student.Username));
        Assert.Empty(await With(harness, s => s.ListAsync(ben, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task StudentSubmissionsAsync_OwnClassesMembersOnly_WithTheirCode(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var teacher = new ClassCaller(await harness.AddUserAsync("ms-ito", UserRole.Teacher), UserRole.Teacher);
        var otherTeacher = new ClassCaller(await harness.AddUserAsync("mr-bay", UserRole.Teacher), UserRole.Teacher);
        var admin = new ClassCaller(await harness.AddUserAsync("root", UserRole.Admin), UserRole.Admin);
        var ana = new ClassCaller(await harness.AddUserAsync("ana"), UserRole.Student);
        var outsider = await harness.AddUserAsync("zed");
        var created = (await With(harness, s => s.CreateAsync(teacher, "6C", CancellationToken.None))).Value;
        var otherClass = (await With(harness, s => s.CreateAsync(otherTeacher, "6D", CancellationToken.None))).Value;
        await With(harness, s => s.JoinAsync(ana, created.Class.JoinCode, CancellationToken.None));
        var first = (await harness.SubmitAsync(ana.UserId, "print('first')")).Value;
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = (await harness.SubmitAsync(ana.UserId, "print('second')", "secret-shout")).Value;
        await harness.SubmitAsync(outsider, "print('not yours')");

        var all = (await With(harness, s => s.StudentSubmissionsAsync(teacher, created.Class.Id, ana.UserId, null, 0, 20, CancellationToken.None))).Value;
        var one = (await With(harness, s => s.StudentSubmissionsAsync(teacher, created.Class.Id, ana.UserId, "secret-add", 0, 20, CancellationToken.None))).Value;

        Assert.Equal(("ana", created.Class.Id), (all.Student.Username, all.Class.Id));
        Assert.Equal([(second.Id, "print('second')"), (first.Id, "print('first')")], all.Submissions.Select(s => (s.Id, s.Code)));
        Assert.Equal([first.Id], one.Submissions.Select(s => s.Id));
        Assert.True((await With(harness, s => s.StudentSubmissionsAsync(admin, created.Class.Id, ana.UserId, null, 0, 20, CancellationToken.None))).IsSuccess);

        Task<Result<StudentSubmissions>> Ask(ClassCaller caller, Guid classId, Guid studentId) =>
            With(harness, s => s.StudentSubmissionsAsync(caller, classId, studentId, null, 0, 20, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, (await Ask(otherTeacher, created.Class.Id, ana.UserId)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Ask(otherTeacher, otherClass.Class.Id, ana.UserId)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Ask(teacher, created.Class.Id, outsider)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Ask(ana, created.Class.Id, ana.UserId)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await Ask(teacher, Guid.NewGuid(), ana.UserId)).Error!.Kind);
        Assert.Equal("limit", (await With(harness, s => s.StudentSubmissionsAsync(teacher, created.Class.Id, ana.UserId, null, 0, 0, CancellationToken.None))).Error!.Fields!.Keys.Single());

        await With(harness, s => s.RemoveStudentAsync(teacher, created.Class.Id, ana.UserId, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, (await Ask(teacher, created.Class.Id, ana.UserId)).Error!.Kind);
    }
}
