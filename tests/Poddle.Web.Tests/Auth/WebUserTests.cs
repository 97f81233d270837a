using System.Security.Claims;
using Poddle.Core.Accounts;
using Poddle.Web.Auth;

namespace Poddle.Web.Tests.Auth;

public sealed class WebUserTests
{
    [Fact]
    public void CreatePrincipal_CarriesTheAccessTokensClaims()
    {
        var userId = Guid.NewGuid();
        var sessionId = Guid.NewGuid();

        var principal = WebAuthentication.CreatePrincipal(userId, "ada", UserRole.Teacher, UserTier.Free, sessionId);

        Assert.True(principal.IsSignedIn());
        Assert.Equal(userId, principal.UserId());
        Assert.Equal(sessionId, principal.SessionId());
        Assert.Equal(Roles.Teacher, principal.Role());
        Assert.Equal("ada", principal.Username());
        Assert.True(principal.IsInRole(Roles.Teacher));
    }

    [Theory]
    [InlineData(UserRole.Student, false, false, true)]
    [InlineData(UserRole.Member, false, false, true)]
    [InlineData(UserRole.Teacher, true, false, false)]
    [InlineData(UserRole.Admin, true, true, false)]
    public void RoleChecks_FollowTheRole(UserRole role, bool teacher, bool admin, bool learner)
    {
        var principal = WebAuthentication.CreatePrincipal(Guid.NewGuid(), "u", role, UserTier.Free, Guid.NewGuid());

        Assert.Equal(teacher, principal.IsTeacher());
        Assert.Equal(admin, principal.IsAdmin());
        Assert.Equal(learner, principal.IsLearner());
    }

    [Fact]
    public void Visitor_IsNotSignedIn_AndHasNoIds()
    {
        var visitor = new ClaimsPrincipal(new ClaimsIdentity());

        Assert.False(visitor.IsSignedIn());
        Assert.Null(visitor.FindUserId());
        Assert.Null(visitor.SessionId());
        Assert.False(visitor.IsLearner());
        Assert.Throws<InvalidOperationException>(() => visitor.UserId());
    }

    [Fact]
    public void CookiePrincipal_HoldsOnlyTheUserAndTheSession()
    {
        var cookie = WebAuthentication.CookiePrincipal(Guid.NewGuid(), Guid.NewGuid());

        Assert.Equal(2, cookie.Claims.Count());
        Assert.Null(cookie.Role());
    }
}
