using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class PasswordResetServiceTests
{
    private const string Password = "correct-horse-battery";
    private const string NewPassword = "a-brand-new-passphrase";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_KnownAddress_MailsASingleUseCodeStoredHashed_ConfirmSetsThePasswordAndEndsEverySession(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);
        await harness.RegisterAsync("alice");
        var session = await harness.LoginAsync("alice");

        Assert.True((await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("Alice@Example.test", CancellationToken.None))).IsSuccess);
        await harness.DeliverMailAsync();
        var mail = await smtp.WaitForAsync(m => m.Subject == "Reset your Poddle password", "the reset mail");

        Assert.Equal(["alice@example.test"], mail.To);
        await using (var db = harness.Database.CreateContext())
        {
            var stored = await db.Set<AccountToken>().SingleAsync(t => t.Purpose == AccountTokenPurpose.PasswordReset);
            Assert.Equal(SecretTokens.Hash(mail.Code), stored.TokenHash);
            Assert.Equal(harness.Clock.GetUtcNow().AddHours(1), stored.ExpiresAt, TimeSpan.FromSeconds(1));
        }

        var confirmed = await harness.WithAsync<PasswordResetService, Result<User>>(r => r.ConfirmAsync(mail.Code, NewPassword, CancellationToken.None));

        Assert.True(confirmed.IsSuccess, confirmed.Error?.Code);
        Assert.NotNull(confirmed.Value.EmailVerifiedAt);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(session.SessionId, CancellationToken.None)));
        Assert.Equal("invalid-refresh-token", (await harness.AccountsAsync(a => a.RefreshAsync(session.RefreshToken, CancellationToken.None))).Error?.Code);
        Assert.Equal("invalid-credentials", (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, new ClientInfo("10.0.0.9", null), CancellationToken.None))).Error?.Code);
        Assert.NotNull((await harness.LoginAsync("alice", NewPassword)).AccessToken);

        var again = await harness.WithAsync<PasswordResetService, Result<User>>(r => r.ConfirmAsync(mail.Code, "yet-another-passphrase", CancellationToken.None));
        Assert.Equal("invalid-reset-token", again.Error?.Code);

        // The reset proved the address, so the "password changed" notice goes to it.
        await harness.DeliverMailAsync();
        await smtp.WaitForAsync(m => m.Subject == "Your Poddle password was changed", "the password changed notice");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_UnknownAddress_AnswersTheSame_AndMailsNothing(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);

        var unknown = await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("nobody@example.test", CancellationToken.None));

        Assert.True(unknown.IsSuccess);
        Assert.Equal(0, await harness.QueuedMailAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_TwiceInOneMinute_QueuesOneMail(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp, email: o => o.RequireVerification = false);
        await harness.RegisterAsync("alice");
        await harness.DeliverMailAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("alice@example.test", CancellationToken.None))).IsSuccess);
        }

        Assert.Equal(1, await harness.QueuedMailAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Confirm_AfterTheCodesLifetime_IsRefused(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);
        await harness.RegisterAsync("alice");
        await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("alice@example.test", CancellationToken.None));
        await harness.DeliverMailAsync();
        var code = (await smtp.WaitForAsync(m => m.Subject == "Reset your Poddle password", "the reset mail")).Code;

        harness.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var late = await harness.WithAsync<PasswordResetService, Result<User>>(r => r.ConfirmAsync(code, NewPassword, CancellationToken.None));

        Assert.Equal("invalid-reset-token", late.Error?.Code);
        Assert.Equal("token", Assert.Single(late.Error!.Fields!).Key);
        Assert.NotNull((await harness.LoginAsync("alice", Password)).AccessToken);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_WithoutAnSmtpServer_IsEmailNotConfigured(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");

        var result = await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("alice@example.test", CancellationToken.None));

        Assert.Equal(ErrorKind.Unavailable, result.Error?.Kind);
        Assert.Equal("email-not-configured", result.Error?.Code);
        Assert.Contains("Email:Smtp:Host", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, await harness.QueuedMailAsync());
    }
}
