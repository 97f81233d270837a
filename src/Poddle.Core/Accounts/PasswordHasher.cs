using Microsoft.Extensions.Options;

namespace Poddle.Core.Accounts;

/// <summary>bcrypt with a SHA-384 pre-hash (BCrypt.Net "enhanced"), so long passphrases keep all their bytes.</summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options)
{
    // A fixed hash to verify against when the account does not exist, so timing does not reveal which logins exist.
    private static readonly Lazy<string> DummyHash = new(() => BCrypt.Net.BCrypt.EnhancedHashPassword("poddle-dummy-password", 10));

    public string Hash(string password) => BCrypt.Net.BCrypt.EnhancedHashPassword(password, options.Value.PasswordWorkFactor);

    public static bool Verify(string password, string hash) => BCrypt.Net.BCrypt.EnhancedVerify(password, hash);

    public static void VerifyAgainstDummy(string password) => _ = BCrypt.Net.BCrypt.EnhancedVerify(password, DummyHash.Value);
}
