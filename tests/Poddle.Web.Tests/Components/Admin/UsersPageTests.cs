using Bunit;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Web.Components.Admin;
using Poddle.Web.Tests.Components.Teach;

namespace Poddle.Web.Tests.Components.Admin;

public sealed class UsersPageTests : WebServicesContext
{
    [Theory]
    [InlineData(UserRole.Teacher)]
    [InlineData(UserRole.Student)]
    [InlineData(UserRole.Member)]
    public async Task Render_NotAnAdmin_IsRefusedAndListsNoOne(UserRole role)
    {
        var caller = await AddUserAsync("not-root", role);
        await AddUserAsync("someone-else");
        SignIn(caller, role);

        var page = Render<UsersPage>();

        page.WaitForAssertion(() => Assert.Equal("Admins only", page.Find("h1").TextContent.Trim()));
        Assert.DoesNotContain("someone-else", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("table"));
    }

    [Fact]
    public async Task SearchAndSave_ChangesTheFoundUsersRoleAndTier()
    {
        var admin = await AddUserAsync("root", UserRole.Admin);
        var ana = await AddUserAsync("ana");
        await AddUserAsync("ben");
        SignIn(admin, UserRole.Admin);
        var page = Render<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody tr").Count));

        page.Find("input").Change("AN");
        page.Find("form").Submit();
        page.WaitForAssertion(() => Assert.Equal(["ana"], page.FindAll("tbody tr").Select(r => r.GetAttribute("data-user"))));

        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<UserRole>>().Single().Instance.ValueChanged.InvokeAsync(UserRole.Teacher));
        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<UserTier>>().Single().Instance.ValueChanged.InvokeAsync(UserTier.Pro));
        page.Find("button[aria-label='Save the role and tier of ana']").Click();

        page.WaitForAssertion(() => Assert.Contains("ana is now Teacher on Pro.", page.Markup, StringComparison.Ordinal));
        var changed = await WithAsync<UserAdministration, Result<UserPage>>(a => a.ListAsync(0, 10, CancellationToken.None, "ana"));
        Assert.Equal((ana, UserRole.Teacher, UserTier.Pro), (changed.Value.Users.Single().Id, changed.Value.Users.Single().Role, changed.Value.Users.Single().Tier));
    }
}
