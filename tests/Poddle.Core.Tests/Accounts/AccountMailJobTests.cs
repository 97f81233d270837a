using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class AccountMailJobTests
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Handle_SmtpServerUnreachable_FailsTheAttempt_AndLeavesNoUsableCode(DatabaseProvider provider)
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var harness = await AccountsHarness.CreateAsync(provider, email: o =>
        {
            o.Smtp.Host = "127.0.0.1";
            o.Smtp.Port = port;
            o.Smtp.Security = Email.SmtpSecurity.None;
            o.Smtp.From = SmtpTestServer.From;
        });

        // The registration commits with its mail queued; sending is the job's business, not the request's.
        await harness.RegisterAsync("alice");
        Assert.Equal(1, await harness.QueuedMailAsync());

        await Assert.ThrowsAnyAsync<Exception>(harness.DeliverMailAsync);

        await using var db = harness.Database.CreateContext();
        Assert.False(await db.Set<AccountToken>().AnyAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignInNotice_GoesOnlyToAVerifiedAddress_WithWhereAndWhen(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var harness = await AccountsHarness.CreateAsync(provider, smtp);
        await harness.RegisterAsync("alice");
        await harness.DeliverMailAsync();
        var verification = await smtp.WaitForAsync(m => m.Subject.Contains("Confirm", StringComparison.Ordinal), "the verification mail");

        await harness.LoginAsync("alice", Password, ip: "10.1.2.3");
        await harness.DeliverMailAsync();
        Assert.DoesNotContain(smtp.Messages(), m => m.Subject == "New sign-in to your Poddle account");

        await harness.WithAsync<EmailVerificationService, global::Poddle.Core.Common.Result<User>>(v => v.ConfirmAsync(verification.Code, CancellationToken.None));
        await harness.LoginAsync("alice", Password, ip: "10.4.5.6");
        await harness.DeliverMailAsync();
        var notice = await smtp.WaitForAsync(m => m.Subject == "New sign-in to your Poddle account", "the sign-in notice");

        Assert.Contains("10.4.5.6", notice.Body, StringComparison.Ordinal);
        Assert.Contains("2026-03-01 12:00 UTC", notice.Body, StringComparison.Ordinal);
        Assert.Single(smtp.Messages(), m => m.Subject == "New sign-in to your Poddle account");
    }
}
