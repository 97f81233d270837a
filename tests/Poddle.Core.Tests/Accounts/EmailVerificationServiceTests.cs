using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class EmailVerificationServiceTests
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_MailsACode_UnverifiedMayNotDeploy_UntilTheCodeIsConfirmed_Once(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);
        var user = await harness.RegisterAsync("alice");
        Assert.Null(user.EmailVerifiedAt);
        var refused = await harness.WithAsync<EmailVerificationService, Error?>(v => v.CheckMayDeployAsync(user.Id, CancellationToken.None));
        Assert.Equal("email-not-verified", refused?.Code);
        Assert.Equal(ErrorKind.Forbidden, refused?.Kind);

        await harness.DeliverMailAsync();
        var mail = await smtp.WaitForAsync(m => m.Subject == "Confirm your email address for Poddle", "the verification mail");
        Assert.Equal(["alice@example.test"], mail.To);
        Assert.Contains("poddle verify-email " + mail.Code, mail.Body, StringComparison.Ordinal);

        var verified = await harness.WithAsync<EmailVerificationService, Result<User>>(v => v.ConfirmAsync(mail.Code, CancellationToken.None));

        Assert.NotNull(verified.Value.EmailVerifiedAt);
        Assert.Null(await harness.WithAsync<EmailVerificationService, Error?>(v => v.CheckMayDeployAsync(user.Id, CancellationToken.None)));
        Assert.Equal("invalid-verification-token", (await harness.WithAsync<EmailVerificationService, Result<User>>(v => v.ConfirmAsync(mail.Code, CancellationToken.None))).Error?.Code);
        Assert.Equal("email-already-verified", (await harness.WithAsync<EmailVerificationService, Result<bool>>(v => v.ResendAsync(user.Id, CancellationToken.None))).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task WithoutAnSmtpServer_NothingIsMailed_VerificationIsNotRequired_AndResendSaysSo(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");

        Assert.Equal(0, await harness.QueuedMailAsync());
        Assert.Null(await harness.WithAsync<EmailVerificationService, Error?>(v => v.CheckMayDeployAsync(user.Id, CancellationToken.None)));
        Assert.Equal("email-not-configured", (await harness.WithAsync<EmailVerificationService, Result<bool>>(v => v.ResendAsync(user.Id, CancellationToken.None))).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RequireVerificationOff_AnUnverifiedAccountMayDeploy(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp, email: o => o.RequireVerification = false);
        var user = await harness.RegisterAsync("alice");

        Assert.Null(await harness.WithAsync<EmailVerificationService, Error?>(v => v.CheckMayDeployAsync(user.Id, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EmailChange_MakesTheAddressUnverified_VoidsCodesSentToTheOldOne_AndMailsTheNewOne(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);
        var user = await harness.RegisterAsync("alice");
        await harness.DeliverMailAsync();
        var first = await smtp.WaitForAsync(m => m.To.Contains("alice@example.test"), "the first verification mail");
        await harness.WithAsync<EmailVerificationService, Result<User>>(v => v.ConfirmAsync(first.Code, CancellationToken.None));
        await harness.WithAsync<PasswordResetService, Result<bool>>(r => r.RequestAsync("alice@example.test", CancellationToken.None));
        await harness.DeliverMailAsync();
        var reset = await smtp.WaitForAsync(m => m.Subject == "Reset your Poddle password", "the reset mail");

        var changed = await harness.AccountsAsync(a => a.UpdateUserAsync(user.Id, new UserChanges(null, "alice@new.example", null, Password), CancellationToken.None));

        Assert.Null(changed.Value.EmailVerifiedAt);
        Assert.Equal("invalid-reset-token", (await harness.WithAsync<PasswordResetService, Result<User>>(r => r.ConfirmAsync(reset.Code, "another-passphrase", CancellationToken.None))).Error?.Code);
        Assert.Equal("email-not-verified", (await harness.WithAsync<EmailVerificationService, Error?>(v => v.CheckMayDeployAsync(user.Id, CancellationToken.None)))?.Code);
        await harness.DeliverMailAsync();
        var second = await smtp.WaitForAsync(m => m.To.Contains("alice@new.example"), "the verification mail to the new address");
        Assert.True((await harness.WithAsync<EmailVerificationService, Result<User>>(v => v.ConfirmAsync(second.Code, CancellationToken.None))).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnsureAdmin_TheFirstAdminIsVerified_AndMailedNothing(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);

        await harness.AccountsAsync(a => a.EnsureAdminAsync("root@example.test", "root", "admin-password-1", CancellationToken.None));

        await using var db = harness.Database.CreateContext();
        Assert.NotNull((await db.Users.SingleAsync(u => u.Username == "root")).EmailVerifiedAt);
        Assert.Equal(0, await harness.QueuedMailAsync());
    }
}
