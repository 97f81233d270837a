using Microsoft.Playwright;
using Poddle.Testing;
using Xunit.Abstractions;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// A class in Chromium against the real `poddle serve`: the admin makes two signed-up users teachers at /admin/users; one
/// creates a class and reads its join code; a student joins with it at /learn/join and solves k-add; the teacher sees the
/// solve in the class's grid and the student's code. Someone else — a learner outside the class, another teacher — gets
/// "not found" (HTTP 404) and no code. axe and light and dark screenshots of each page.
/// </summary>
public sealed class TeacherEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserTest(browser, output)
{
    [BrowserFact]
    public async Task Teacher_ClassWithAStudentWhoSolvedK_Add_SeesTheSolveAndTheCodeOthersDoNot()
    {
        // Two people sign up; the admin makes them teachers.
        var teacher = WebPerson.New("tea");
        var otherTeacher = WebPerson.New("teb");
        await WebSteps.SignUpAsync(await NewPageAsync(), teacher);
        await WebSteps.SignUpAsync(await NewPageAsync(), otherTeacher);

        var admin = Page;
        await WebSteps.SignInAsync(admin, "admin", PoddleProcess.AdminPassword);
        await BlazorCircuit.GotoInteractiveAsync(admin, WebPaths.Users);
        await MakeTeacherAsync(admin, teacher.Username);
        await AssertAccessibleAsync(admin);
        await ScreenshotAsync(admin, "admin-users");
        await MakeTeacherAsync(admin, otherTeacher.Username);

        // The teacher signs in (a new session carries the new role) and creates a class.
        var teach = await NewPageAsync();
        await WebSteps.SignInAsync(teach, teacher.Username, teacher.Password);
        await BlazorCircuit.GotoInteractiveAsync(teach, WebPaths.Classes);
        var className = "Class " + teacher.Username;
        await teach.GetByLabel("Class name").FillAsync(className);
        var create = teach.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Create", Exact = true });
        await BlazorCircuit.WaitUntilInteractiveAsync(create);
        await create.ClickAsync();
        var code = teach.Locator(".mud-alert .join-code");
        await Assertions.Expect(code).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });
        var joinCode = (await code.InnerTextAsync()).Trim();
        Assert.False(string.IsNullOrWhiteSpace(joinCode));
        await AssertAccessibleAsync(teach);
        await ScreenshotAsync(teach, "teach-classes");

        // The student joins with the code and solves k-add (a marker in the code, to find it on the teacher's page).
        var student = WebPerson.New("stu");
        var learn = await NewPageAsync();
        await WebSteps.SignUpAsync(learn, student);
        await WebSteps.OpenMapAsync(learn);
        await BlazorCircuit.GotoInteractiveAsync(learn, WebPaths.JoinClass);
        await learn.GetByLabel("Class code").FillAsync(joinCode);
        await learn.Locator("#learn-join-button").ClickAsync();
        await Assertions.Expect(learn.Locator("#learn-joined")).ToContainTextAsync(className, new LocatorAssertionsToContainTextOptions { Timeout = WebSteps.Timeout });
        await AssertAccessibleAsync(learn);
        await ScreenshotAsync(learn, "learn-join");

        var marker = "solved by " + student.Username;
        await WebSteps.OpenProblemAsync(learn);
        await WebSteps.SetCodeAsync(learn, WebSteps.RightAnswer + "# " + marker + "\n");
        await learn.Locator("#learn-submit").ClickAsync();
        await Assertions.Expect(learn.Locator("#learn-solved")).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = WebSteps.Timeout });

        // The teacher: the class's grid shows the solve; its cell opens the student's submissions with the code.
        await BlazorCircuit.GotoInteractiveAsync(teach, WebPaths.Classes);
        await teach.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = className, Exact = true }).ClickAsync();
        await Assertions.Expect(teach).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/teach/classes/[0-9a-f-]{36}$"), new PageAssertionsToHaveURLOptions { Timeout = WebSteps.Timeout });
        await BlazorCircuit.WaitUntilInteractiveAsync(teach);
        var cell = teach.Locator("a[data-status='solved']");
        await Assertions.Expect(cell).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(cell).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(student.Username));
        await AssertAccessibleAsync(teach);
        await ScreenshotAsync(teach, "teach-class-grid");

        await cell.ClickAsync();
        await Assertions.Expect(teach).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/students/[0-9a-f-]{36}"), new PageAssertionsToHaveURLOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(teach.Locator("pre code").First).ToContainTextAsync(marker, new LocatorAssertionsToContainTextOptions { Timeout = WebSteps.Timeout });
        await BlazorCircuit.WaitUntilInteractiveAsync(teach);
        var studentPage = new Uri(teach.Url).PathAndQuery;
        await AssertAccessibleAsync(teach);
        await ScreenshotAsync(teach, "teach-student-code");

        // A learner outside the class: not a teacher, so the page is "not found" (HTTP 404, the app's layout, a link
        // home), not a sign-in page; no code anywhere. The same for the admin's page.
        var outsider = await NewPageAsync();
        await WebSteps.SignUpAsync(outsider, WebPerson.New("stx"));
        foreach (var forbidden in new[] { studentPage, WebPaths.Users })
        {
            var response = await outsider.GotoAsync(forbidden);
            Assert.Equal(404, response!.Status);
            Assert.Equal(forbidden, new Uri(outsider.Url).PathAndQuery);
            await Assertions.Expect(outsider.Locator("h1")).ToHaveTextAsync("Page not found", WebSteps.TextWithin);
            await Assertions.Expect(outsider.Locator("header.mud-appbar")).ToBeVisibleAsync();
            await Assertions.Expect(outsider.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Go to the home page" })).ToHaveAttributeAsync("href", WebPaths.Home);
            await WebSteps.AssertNotInPageAsync(outsider, [marker, student.Username, className], expectedStatus: 404);
        }

        await AssertAccessibleAsync(outsider);
        await ScreenshotAsync(outsider, "not-found", darkToo: false);

        // Another teacher: "not found" (the same page, HTTP 404), no code.
        var other = await NewPageAsync();
        await WebSteps.SignInAsync(other, otherTeacher.Username, otherTeacher.Password);
        await BlazorCircuit.GotoInteractiveAsync(other, studentPage);
        await Assertions.Expect(other.Locator("h1")).ToHaveTextAsync("Page not found", WebSteps.TextWithin);
        await WebSteps.AssertNotInPageAsync(other, [marker, className], expectedStatus: 404);

        // The teacher's problem pages.
        await BlazorCircuit.GotoInteractiveAsync(teach, WebPaths.Problems);
        await Assertions.Expect(teach.Locator("h1")).ToBeVisibleAsync();
        await AssertAccessibleAsync(teach);
        await ScreenshotAsync(teach, "teach-problems");
        await BlazorCircuit.GotoInteractiveAsync(teach, WebPaths.NewProblem);
        await Assertions.Expect(teach.Locator("h1")).ToBeVisibleAsync();
        await AssertAccessibleAsync(teach);
        await ScreenshotAsync(teach, "teach-problem-edit");
        // The 404s above are the pages' answers to the outsider and the other teacher, nothing else failed.
        Assert.All(PageErrors, e => Assert.Contains("HTTP 404", e, StringComparison.Ordinal));
    }

    /// <summary>Finds <paramref name="username"/> at /admin/users, picks the role Teacher and saves.</summary>
    private static async Task MakeTeacherAsync(IPage admin, string username)
    {
        await admin.GetByRole(AriaRole.Textbox, new PageGetByRoleOptions { Name = "Search" }).FillAsync(username);
        await admin.Locator("form button[type='submit']").Filter(new LocatorFilterOptions { HasTextString = "Search" }).Last.ClickAsync();
        var row = admin.Locator($"tr[data-user='{username}']");
        await Assertions.Expect(admin.Locator("tr[data-user]")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = WebSteps.Timeout });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await row.Locator(".mud-select").First.ClickAsync();
        var option = admin.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasTextString = "Teacher" });
        await option.First.ClickAsync();
        var save = admin.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = $"Save the role and tier of {username}" });
        await Assertions.Expect(save).ToBeEnabledAsync(new LocatorAssertionsToBeEnabledOptions { Timeout = WebSteps.Timeout });
        await save.ClickAsync();
        await Assertions.Expect(admin.Locator(".mud-alert")).ToContainTextAsync($"{username} is now", new LocatorAssertionsToContainTextOptions { Timeout = WebSteps.Timeout });
    }
}
