using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class TwoFactorServiceTests
{
    private const string Password = "correct-horse-battery";
    private static readonly ClientInfo Client = new("10.0.0.1", "tests");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SetUpThenEnable_WithACodeOfTheKey_TurnsOnWithTenRecoveryCodesStoredHashed_AndTheKeyEncrypted(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");

        var setup = (await harness.TwoFactorAsync(t => t.SetUpAsync(user.Id, Password, CancellationToken.None))).Value;

        Assert.Matches("^[A-Z2-7]{32}$", setup.Secret);
        Assert.Equal($"otpauth://totp/Poddle%3Aalice?secret={setup.Secret}&issuer=Poddle&algorithm=SHA1&digits=6&period=30", setup.OtpauthUri);
        var pending = (await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value;
        Assert.Equal(new TwoFactorStatus(Enabled: false, Pending: true, RecoveryCodesLeft: 0), pending);

        var codes = (await harness.TwoFactorAsync(t => t.EnableAsync(user.Id, TotpCalculator.CodeAt(setup.Secret, harness.Clock.GetUtcNow()), CancellationToken.None))).Value;

        Assert.Equal(10, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$", c));
        Assert.Equal(new TwoFactorStatus(true, false, 10), (await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value);

        await using var db = harness.Database.CreateContext();
        var stored = await db.Set<RecoveryCode>().Where(c => c.UserId == user.Id).Select(c => c.CodeHash).ToListAsync();
        Assert.Equal(codes.Select(c => SecretTokens.Hash(c.Replace("-", string.Empty, StringComparison.Ordinal))).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var secret = (await db.Users.SingleAsync(u => u.Id == user.Id)).TwoFactorSecret!;
        Assert.DoesNotContain(setup.Secret, System.Text.Encoding.ASCII.GetString(secret), StringComparison.Ordinal);
        Assert.True(secret.Length >= 1 + 12 + 16 + 20, "the key is stored as AES-GCM ciphertext (version, nonce, tag, key)");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Enable_WrongCodeOrNoSetUp_IsRefused_AndTwoFactorStaysOff(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");

        var notSetUp = await harness.TwoFactorAsync(t => t.EnableAsync(user.Id, "123456", CancellationToken.None));
        Assert.Equal("two-factor-not-set-up", notSetUp.Error?.Code);

        Assert.Equal("validation", (await harness.TwoFactorAsync(t => t.SetUpAsync(user.Id, "not-the-password", CancellationToken.None))).Error?.Code);
        var setup = (await harness.TwoFactorAsync(t => t.SetUpAsync(user.Id, Password, CancellationToken.None))).Value;
        var wrong = await harness.TwoFactorAsync(t => t.EnableAsync(user.Id, WrongCode(setup.Secret, harness), CancellationToken.None));

        Assert.Equal("invalid-two-factor-code", wrong.Error?.Code);
        Assert.Equal(ErrorKind.Validation, wrong.Error?.Kind);
        Assert.False((await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value.Enabled);
        Assert.NotNull((await harness.LoginAsync("alice")).AccessToken);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignIn_WithTwoFactor_PasswordGivesAChallenge_CodeGivesTokens_AndTheChallengeWorksOnce(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var secret = await EnableAsync(harness, user.Id);
        harness.Clock.Advance(TimeSpan.FromSeconds(30));

        var first = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, Client, CancellationToken.None))).Value;

        Assert.Null(first.Tokens);
        Assert.NotNull(first.Challenge);
        Assert.Equal(harness.Clock.GetUtcNow().AddMinutes(5), first.Challenge.ExpiresAt, TimeSpan.FromSeconds(1));
        var wrongPassword = await harness.AccountsAsync(a => a.LoginAsync("alice", "wrong-password", Client, CancellationToken.None));
        Assert.Equal("invalid-credentials", wrongPassword.Error?.Code);

        var code = TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow());
        var tokens = await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(first.Challenge.Challenge, code, null, Client, CancellationToken.None));
        Assert.True(tokens.IsSuccess, tokens.Error?.Code);
        Assert.True(await harness.AccountsAsync(a => a.IsSessionActiveAsync(tokens.Value.SessionId, CancellationToken.None)));

        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(
            first.Challenge.Challenge, TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow()), null, Client, CancellationToken.None));
        Assert.Equal("invalid-two-factor-challenge", again.Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignIn_TheSameCodeTwice_IsRefusedTheSecondTime_UntilTheNextTimeStep(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var secret = await EnableAsync(harness, user.Id);
        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow());
        Assert.True((await CompleteAsync(harness, code, null)).IsSuccess);

        var replay = await CompleteAsync(harness, code, null);

        Assert.Equal("invalid-two-factor-code", replay.Error?.Code);
        Assert.Equal(ErrorKind.Unauthorized, replay.Error?.Kind);

        // The code of the step already used is refused even a step later (it is still inside the drift window).
        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("invalid-two-factor-code", (await CompleteAsync(harness, code, null)).Error?.Code);
        Assert.True((await CompleteAsync(harness, TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow()), null)).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignIn_RecoveryCode_WorksOnce(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var (_, codes) = await EnableWithCodesAsync(harness, user.Id);

        Assert.True((await CompleteAsync(harness, null, codes[3].ToUpperInvariant())).IsSuccess);
        Assert.Equal("invalid-two-factor-code", (await CompleteAsync(harness, null, codes[3])).Error?.Code);
        Assert.Equal(9, (await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value.RecoveryCodesLeft);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignIn_FiveWrongCodes_SixthIs429EvenWithTheRightCode_UntilTheWindowPasses(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var secret = await EnableAsync(harness, user.Id);
        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        var challenge = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, Client, CancellationToken.None))).Value.Challenge!.Challenge;
        for (var i = 0; i < 5; i++)
        {
            var wrong = await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(challenge, WrongCode(secret, harness), null, Client, CancellationToken.None));
            Assert.Equal("invalid-two-factor-code", wrong.Error?.Code);
        }

        var right = TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow());
        var throttled = await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(challenge, right, null, Client, CancellationToken.None));

        Assert.Equal(ErrorKind.RateLimited, throttled.Error?.Kind);
        Assert.Equal("too-many-two-factor-attempts", throttled.Error?.Code);
        Assert.InRange(throttled.Error!.RetryAfter!.Value, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        harness.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.True((await CompleteAsync(harness, TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow()), null)).IsSuccess);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SignIn_ChallengeOlderThanItsLifetime_IsRefused(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var secret = await EnableAsync(harness, user.Id);
        var challenge = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, Client, CancellationToken.None))).Value.Challenge!.Challenge;

        harness.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var late = await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(
            challenge, TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow()), null, Client, CancellationToken.None));

        Assert.Equal("invalid-two-factor-challenge", late.Error?.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Disable_NeedsThePasswordAndACode_ThenSignInNeedsThePasswordAlone(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var (secret, codes) = await EnableWithCodesAsync(harness, user.Id);
        harness.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = TotpCalculator.CodeAt(secret, harness.Clock.GetUtcNow());

        var noPassword = await harness.TwoFactorAsync(t => t.DisableAsync(user.Id, "wrong-password", code, null, CancellationToken.None));
        Assert.Equal("password", Assert.Single(noPassword.Error!.Fields!).Key);
        var wrongCode = await harness.TwoFactorAsync(t => t.DisableAsync(user.Id, Password, WrongCode(secret, harness), null, CancellationToken.None));
        Assert.Equal("invalid-two-factor-code", wrongCode.Error?.Code);
        Assert.True((await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value.Enabled);

        Assert.True((await harness.TwoFactorAsync(t => t.DisableAsync(user.Id, Password, null, codes[0], CancellationToken.None))).IsSuccess);

        Assert.Equal(new TwoFactorStatus(false, false, 0), (await harness.TwoFactorAsync(t => t.StatusAsync(user.Id, CancellationToken.None))).Value);
        Assert.NotNull((await harness.LoginAsync("alice")).AccessToken);
        await using var db = harness.Database.CreateContext();
        Assert.False(await db.Set<RecoveryCode>().AnyAsync(c => c.UserId == user.Id));
        Assert.Null((await db.Users.SingleAsync(u => u.Id == user.Id)).TwoFactorSecret);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ApiToken_KeepsWorkingWithoutASecondFactor(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var user = await harness.RegisterAsync("alice");
        var created = (await harness.ApiTokensAsync(t => t.CreateAsync(user.Id, "ci", null, CancellationToken.None))).Value;

        await EnableAsync(harness, user.Id);

        Assert.Equal(user.Id, (await harness.ApiTokensAsync(t => t.ValidateAsync(created.Secret, CancellationToken.None)))!.User.Id);
    }

    internal static async Task<string> EnableAsync(AccountsHarness harness, Guid userId) => (await EnableWithCodesAsync(harness, userId)).Secret;

    internal static async Task<(string Secret, IReadOnlyList<string> Codes)> EnableWithCodesAsync(AccountsHarness harness, Guid userId)
    {
        var setup = (await harness.TwoFactorAsync(t => t.SetUpAsync(userId, Password, CancellationToken.None))).Value;
        var codes = await harness.TwoFactorAsync(t => t.EnableAsync(userId, TotpCalculator.CodeAt(setup.Secret, harness.Clock.GetUtcNow()), CancellationToken.None));
        Assert.True(codes.IsSuccess, codes.Error?.Code);
        return (setup.Secret, codes.Value);
    }

    /// <summary>Six digits that are none of the codes the drift window accepts now.</summary>
    private static string WrongCode(string secret, AccountsHarness harness)
    {
        var step = TotpCalculator.StepAt(harness.Clock.GetUtcNow());
        var valid = new[] { step - 1, step, step + 1 }.Select(s => TotpCalculator.CodeAt(secret, s)).ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), 6)).First(c => !valid.Contains(c));
    }

    private static async Task<Result<AuthTokens>> CompleteAsync(AccountsHarness harness, string? code, string? recoveryCode)
    {
        var challenge = (await harness.AccountsAsync(a => a.LoginAsync("alice", Password, Client, CancellationToken.None))).Value.Challenge!.Challenge;
        return await harness.AccountsAsync(a => a.CompleteTwoFactorSignInAsync(challenge, code, recoveryCode, Client, CancellationToken.None));
    }
}
