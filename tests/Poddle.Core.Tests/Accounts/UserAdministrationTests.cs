using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class UserAdministrationTests
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Disable_EndsSessionsAndRefusesEveryToken_SignInIs403_EnableLetsThemBackIn(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var admin = await harness.RegisterAsync("root");
        var user = await harness.RegisterAsync("alice");
        var session = await harness.LoginAsync("alice");
        var apiToken = (await harness.ApiTokensAsync(t => t.CreateAsync(user.Id, "ci", null, CancellationToken.None))).Value.Secret;

        var disabled = await harness.WithAsync<UserAdministration, Result<User>>(a => a.DisableAsync(admin.Id, user.Id, CancellationToken.None));

        Assert.NotNull(disabled.Value.DisabledAt);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(session.SessionId, CancellationToken.None)));
        Assert.Equal("invalid-refresh-token", (await harness.AccountsAsync(a => a.RefreshAsync(session.RefreshToken, CancellationToken.None))).Error?.Code);
        Assert.Null(await harness.ApiTokensAsync(t => t.ValidateAsync(apiToken, CancellationToken.None)));
        var signIn = await harness.AccountsAsync(a => a.LoginAsync("alice", Password, new ClientInfo("10.0.0.1", null), CancellationToken.None));
        Assert.Equal("account-disabled", signIn.Error?.Code);
        Assert.Equal(ErrorKind.Forbidden, signIn.Error?.Kind);
        var wrongPassword = await harness.AccountsAsync(a => a.LoginAsync("alice", "not-the-password", new ClientInfo("10.0.0.1", null), CancellationToken.None));
        Assert.Equal("invalid-credentials", wrongPassword.Error?.Code);

        await harness.WithAsync<UserAdministration, Result<User>>(a => a.EnableAsync(admin.Id, user.Id, CancellationToken.None));

        Assert.NotNull(await harness.ApiTokensAsync(t => t.ValidateAsync(apiToken, CancellationToken.None)));
        Assert.NotNull((await harness.LoginAsync("alice")).AccessToken);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(session.SessionId, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Disable_OwnAccount_IsRefused(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var admin = await harness.RegisterAsync("root");

        var result = await harness.WithAsync<UserAdministration, Result<User>>(a => a.DisableAsync(admin.Id, admin.Id, CancellationToken.None));

        Assert.Equal("cannot-disable-self", result.Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ResetPassword_GeneratedOrGiven_EndsEverySession_AndTheNewPasswordWorks(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var admin = await harness.RegisterAsync("root");
        var user = await harness.RegisterAsync("alice");
        var session = await harness.LoginAsync("alice");

        var generated = (await harness.WithAsync<UserAdministration, Result<string?>>(a => a.ResetPasswordAsync(admin.Id, user.Id, null, CancellationToken.None))).Value;

        Assert.False(string.IsNullOrEmpty(generated));
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(session.SessionId, CancellationToken.None)));
        Assert.NotNull((await harness.LoginAsync("alice", generated!)).AccessToken);

        var given = await harness.WithAsync<UserAdministration, Result<string?>>(a => a.ResetPasswordAsync(admin.Id, user.Id, "chosen-by-the-admin", CancellationToken.None));
        Assert.Null(given.Value);
        Assert.NotNull((await harness.LoginAsync("alice", "chosen-by-the-admin")).AccessToken);
        Assert.Equal("validation", (await harness.WithAsync<UserAdministration, Result<string?>>(a => a.ResetPasswordAsync(admin.Id, user.Id, "short", CancellationToken.None))).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ListAsync_Search_MatchesUsernameOrEmailInAnyCase(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        await harness.RegisterAsync("malika");
        await harness.RegisterAsync("bob");

        var byName = await harness.WithAsync<UserAdministration, Result<UserPage>>(a => a.ListAsync(0, 50, CancellationToken.None, " ALI "));
        var byEmail = await harness.WithAsync<UserAdministration, Result<UserPage>>(a => a.ListAsync(0, 50, CancellationToken.None, "bob@EXAMPLE"));
        var everyone = await harness.WithAsync<UserAdministration, Result<UserPage>>(a => a.ListAsync(0, 50, CancellationToken.None, ""));
        var tooLong = await harness.WithAsync<UserAdministration, Result<UserPage>>(a => a.ListAsync(0, 50, CancellationToken.None, new string('a', 101)));

        Assert.Equal(["alice", "malika"], byName.Value.Users.Select(u => u.Username));
        Assert.Equal(2, byName.Value.Total);
        Assert.Equal(["bob"], byEmail.Value.Users.Select(u => u.Username));
        Assert.Equal(3, everyone.Value.Total);
        Assert.Equal("search", tooLong.Error!.Fields!.Keys.Single());
    }
}
