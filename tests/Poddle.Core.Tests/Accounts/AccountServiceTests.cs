using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class AccountServiceTests
{
    private const string Password = "correct-horse-battery";
    private static readonly ClientInfo FromA = new("10.0.0.1", "tests");
    private static readonly ClientInfo FromB = new("10.0.0.2", "tests");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_StoresBcryptHashWithCostAtLeast10_NeverThePassword(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");

        await using var db = harness.Database.CreateContext();
        var stored = await db.Users.SingleAsync(u => u.Username == "alice");
        Assert.DoesNotContain(Password, stored.PasswordHash, StringComparison.Ordinal);
        Assert.Matches(@"^\$2[abxy]\$\d\d\$", stored.PasswordHash);
        Assert.True(int.Parse(stored.PasswordHash.AsSpan(4, 2), provider: System.Globalization.CultureInfo.InvariantCulture) >= 10);
        Assert.True(PasswordHasher.Verify(Password, stored.PasswordHash));
        Assert.Equal(UserRole.Member, stored.Role);
        Assert.Equal(UserTier.Free, stored.Tier);
    }

    [Fact]
    public void AuthOptions_DefaultWorkFactorIsAtLeast10_AndLowerIsRejected()
    {
        Assert.True(new AuthOptions().PasswordWorkFactor >= 10);
        Assert.Equal(TimeSpan.FromMinutes(15), new AuthOptions().AccessTokenLifetime);
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { PasswordWorkFactor = 9 });
        Assert.True(result.Failed);
        Assert.Contains("Auth:PasswordWorkFactor", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_StoresOnlyTheRefreshTokenHash(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");

        var tokens = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).Value.Tokens!;

        await using var db = harness.Database.CreateContext();
        var stored = await db.RefreshTokens.SingleAsync();
        Assert.NotEqual(tokens.RefreshToken, stored.TokenHash);
        Assert.Equal(SecretTokens.Hash(tokens.RefreshToken), stored.TokenHash);
        Assert.False(await db.RefreshTokens.AnyAsync(t => t.TokenHash.Contains(tokens.RefreshToken)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refresh_RotatesTheToken_TheOldOneIsSpent(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        var first = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).Value.Tokens!;

        var second = await harness.AccountsAsync(a => a.RefreshAsync(first.RefreshToken, CancellationToken.None));

        Assert.True(second.IsSuccess);
        Assert.NotEqual(first.RefreshToken, second.Value.RefreshToken);
        Assert.Equal(first.SessionId, second.Value.SessionId);
        var third = await harness.AccountsAsync(a => a.RefreshAsync(second.Value.RefreshToken, CancellationToken.None));
        Assert.True(third.IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refresh_ReusedOldToken_RevokesTheWholeFamily(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        var login = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).Value.Tokens!;
        var other = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromB, CancellationToken.None))).Value.Tokens!;
        var rotated = (await harness.AccountsAsync(a => a.RefreshAsync(login.RefreshToken, CancellationToken.None))).Value;

        var replay = await harness.AccountsAsync(a => a.RefreshAsync(login.RefreshToken, CancellationToken.None));

        Assert.Equal(ErrorKind.Unauthorized, replay.Error?.Kind);
        Assert.Equal("invalid-refresh-token", replay.Error?.Code);
        var descendant = await harness.AccountsAsync(a => a.RefreshAsync(rotated.RefreshToken, CancellationToken.None));
        Assert.Equal(ErrorKind.Unauthorized, descendant.Error?.Kind);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(login.SessionId, CancellationToken.None)));
        await using var db = harness.Database.CreateContext();
        Assert.Equal("refresh-token-reuse", (await db.Sessions.SingleAsync(s => s.Id == login.SessionId)).RevokedReason);

        // Another device's session is a different family and keeps working.
        Assert.True(await harness.AccountsAsync(a => a.IsSessionActiveAsync(other.SessionId, CancellationToken.None)));
        Assert.True((await harness.AccountsAsync(a => a.RefreshAsync(other.RefreshToken, CancellationToken.None))).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refresh_AfterTheSessionExpires_IsUnauthorized(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        var login = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).Value.Tokens!;

        harness.Clock.Advance(new AuthOptions().RefreshTokenLifetime + TimeSpan.FromSeconds(1));

        var result = await harness.AccountsAsync(a => a.RefreshAsync(login.RefreshToken, CancellationToken.None));
        Assert.Equal("invalid-refresh-token", result.Error?.Code);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(login.SessionId, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_FiveFailures_SixthIsRateLimitedEvenWithTheRightPassword_UntilTheWindowPasses(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        for (var i = 0; i < 5; i++)
        {
            var failed = await harness.AccountsAsync(a => a.LoginAsync("alice", "wrong-password", FromA, CancellationToken.None));
            Assert.Equal("invalid-credentials", failed.Error?.Code);
            harness.Clock.Advance(TimeSpan.FromSeconds(10));
        }

        var throttled = await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None));
        Assert.Equal(ErrorKind.RateLimited, throttled.Error?.Kind);
        // The oldest failure was 50 s ago, so it leaves the 15-minute window in 14 min 10 s.
        Assert.Equal(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(50), throttled.Error?.RetryAfter);

        // Another IP is not throttled by these failures.
        Assert.True((await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromB, CancellationToken.None))).IsSuccess);

        harness.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(ErrorKind.RateLimited, (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).Error?.Kind);
        harness.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True((await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_FailuresByEmailAndByUsername_CountAgainstTheSameAccount(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        await harness.RegisterAsync("alice");
        for (var i = 0; i < 5; i++)
        {
            var login = i % 2 == 0 ? "alice@example.test" : "ALICE";
            Assert.Equal("invalid-credentials", (await harness.AccountsAsync(a => a.LoginAsync(login, "wrong-password", FromA, CancellationToken.None))).Error?.Code);
        }

        var throttled = await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None));
        Assert.Equal(ErrorKind.RateLimited, throttled.Error?.Kind);
        Assert.Equal(ErrorKind.RateLimited, (await harness.AccountsAsync(a => a.LoginAsync("alice@example.test", Password, FromA, CancellationToken.None))).Error?.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_UnknownAccount_IsRateLimitedToo(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("invalid-credentials", (await harness.AccountsAsync(a => a.LoginAsync("nobody", "wrong-password", FromA, CancellationToken.None))).Error?.Code);
        }

        Assert.Equal(ErrorKind.RateLimited, (await harness.AccountsAsync(a => a.LoginAsync("nobody", "wrong-password", FromA, CancellationToken.None))).Error?.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RevokeSession_OfAnotherUser_IsNotFoundAndLeavesItStanding(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var alice = await harness.RegisterAsync("alice");
        var bob = await harness.RegisterAsync("bobby");
        var bobs = (await harness.AccountsAsync(a => a.LoginAsync("bobby", Password, FromA, CancellationToken.None))).Value.Tokens!;

        var result = await harness.AccountsAsync(a => a.RevokeSessionAsync(alice.Id, bobs.SessionId, CancellationToken.None));

        Assert.Equal(ErrorKind.NotFound, result.Error?.Kind);
        Assert.True(await harness.AccountsAsync(a => a.IsSessionActiveAsync(bobs.SessionId, CancellationToken.None)));
        Assert.True((await harness.AccountsAsync(a => a.RevokeSessionAsync(bob.Id, bobs.SessionId, CancellationToken.None))).IsSuccess);
        Assert.False(await harness.AccountsAsync(a => a.IsSessionActiveAsync(bobs.SessionId, CancellationToken.None)));
        Assert.Equal("invalid-refresh-token", (await harness.AccountsAsync(a => a.RefreshAsync(bobs.RefreshToken, CancellationToken.None))).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Login_FailuresAcrossManyAccountsFromOneIp_ThrottleThatIp_ButNotOthers(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider, auth: o => o.MaxFailedLoginsPerIp = 6);
        await harness.RegisterAsync("alice");

        // Credential stuffing: one wrong guess for each of many accounts, none of them over its own limit.
        for (var i = 0; i < 6; i++)
        {
            var guess = await harness.AccountsAsync(a => a.LoginAsync($"victim{i}", "password123", FromA, CancellationToken.None));
            Assert.Equal("invalid-credentials", guess.Error?.Code);
        }

        var throttled = await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None));

        Assert.Equal("too-many-login-attempts", throttled.Error?.Code);
        Assert.InRange(throttled.Error!.RetryAfter!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.True((await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromB, CancellationToken.None))).IsSuccess);
        harness.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.True((await harness.AccountsAsync(a => a.LoginAsync("alice", Password, FromA, CancellationToken.None))).IsSuccess);
    }
}
