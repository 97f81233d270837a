using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Accounts;

public sealed class ApiTokenServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_StoresOnlyTheHash_AndTheSecretValidates(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var alice = await harness.RegisterAsync("alice");

        var created = (await harness.ApiTokensAsync(t => t.CreateAsync(alice.Id, "laptop", null, CancellationToken.None))).Value;

        Assert.StartsWith(SecretTokens.ApiTokenPrefix, created.Secret, StringComparison.Ordinal);
        await using var db = harness.Database.CreateContext();
        var stored = await db.ApiTokens.SingleAsync();
        Assert.Equal(SecretTokens.Hash(created.Secret), stored.TokenHash);
        Assert.DoesNotContain(created.Secret, stored.TokenHash + stored.Prefix + stored.Name, StringComparison.Ordinal);
        var identity = await harness.ApiTokensAsync(t => t.ValidateAsync(created.Secret, CancellationToken.None));
        Assert.Equal(alice.Id, identity?.User.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Validate_RevokedOrExpiredToken_ReturnsNull(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var alice = await harness.RegisterAsync("alice");
        var revoked = (await harness.ApiTokensAsync(t => t.CreateAsync(alice.Id, "ci", null, CancellationToken.None))).Value;
        var expiring = (await harness.ApiTokensAsync(t => t.CreateAsync(alice.Id, "script", 1, CancellationToken.None))).Value;

        Assert.True((await harness.ApiTokensAsync(t => t.RevokeAsync(alice.Id, revoked.Token.Id, CancellationToken.None))).IsSuccess);
        Assert.Null(await harness.ApiTokensAsync(t => t.ValidateAsync(revoked.Secret, CancellationToken.None)));
        Assert.NotNull(await harness.ApiTokensAsync(t => t.ValidateAsync(expiring.Secret, CancellationToken.None)));

        harness.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Null(await harness.ApiTokensAsync(t => t.ValidateAsync(expiring.Secret, CancellationToken.None)));
        Assert.Null(await harness.ApiTokensAsync(t => t.ValidateAsync(SecretTokens.NewApiToken(), CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Revoke_TokenOfAnotherUser_IsNotFound(DatabaseProvider provider)
    {
        await using var harness = await AccountsHarness.CreateAsync(provider);
        var alice = await harness.RegisterAsync("alice");
        var bob = await harness.RegisterAsync("bobby");
        var bobs = (await harness.ApiTokensAsync(t => t.CreateAsync(bob.Id, "ci", null, CancellationToken.None))).Value;

        var result = await harness.ApiTokensAsync(t => t.RevokeAsync(alice.Id, bobs.Token.Id, CancellationToken.None));

        Assert.Equal(ErrorKind.NotFound, result.Error?.Kind);
        Assert.NotNull(await harness.ApiTokensAsync(t => t.ValidateAsync(bobs.Secret, CancellationToken.None)));
        Assert.Empty(await harness.ApiTokensAsync(t => t.ListAsync(alice.Id, CancellationToken.None)));
    }
}
