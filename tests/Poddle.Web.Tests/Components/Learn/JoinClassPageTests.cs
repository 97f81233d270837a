using Bunit;
using Poddle.Core.Accounts;
using Poddle.Core.Classes;
using Poddle.Core.Common;
using Poddle.Web.Components.Learn;

namespace Poddle.Web.Tests.Components.Learn;

public sealed class JoinClassPageTests : BunitContext
{
    [Fact]
    public async Task Join_ByCode_ShowsTheClassName_AndAnUnknownCodeInWords()
    {
        await using var harness = await LearnHarness.CreateAsync(this);
        var teacher = Guid.CreateVersion7();
        await using (var db = harness.Database.CreateContext())
        {
            db.Users.Add(new User { Id = teacher, Email = "t@example.test", Username = "teacher", PasswordHash = "x", Role = UserRole.Teacher, CreatedAt = harness.Clock.GetUtcNow(), UpdatedAt = harness.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        var created = await harness.InScopeAsync<ClassService, Result<ClassView>>(s => s.CreateAsync(new ClassCaller(teacher, UserRole.Teacher), "7B Python", CancellationToken.None));
        var page = Render<JoinClassPage>();

        page.Find("input").Change("NOPE-NOPE");
        await page.Find("form").SubmitAsync();
        Assert.Equal("No class has this code. Check it with your teacher.", page.Find("#learn-join-error").TextContent.Trim());

        page.Find("input").Change(created.Value.Class.JoinCode);
        await page.Find("form").SubmitAsync();
        Assert.Equal("You are now in the class “7B Python”.", page.Find("#learn-joined").TextContent.Trim());
    }
}
