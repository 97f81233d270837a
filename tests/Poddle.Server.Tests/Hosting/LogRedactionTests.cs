using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

public sealed class LogRedactionTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Logs_NeverContainPasswordsOrTokens(DatabaseProvider provider)
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(provider, configure: b =>
        {
            b.Logging.AddProvider(capture);

            // Everything this provider sees, down to Debug, so a secret in a quieter line is caught too.
            b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
        });
        const string password = "Sup3r-secret-passphrase";
        const string newPassword = "An0ther-secret-passphrase";
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsJsonAsync("/api/auth/register", new RegisterRequest("logged@example.test", "logged", password))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("logged", password + "-wrong"))).StatusCode);
        var login = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("logged", password))).Content.ReadFromJsonAsync<TokenResponse>())!;
        var refreshed = (await (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken))).Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken))).StatusCode);
        var (client, second) = await server.CreateUserAsync("logged2", password);
        var apiToken = (await (await client.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!;
        using var cli = server.CreateClient(apiToken.Token);
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);
        using var wrongToken = server.CreateClient(apiToken.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongToken.GetAsync("/api/auth/me")).StatusCode);
        using var staleJwt = server.CreateClient(login.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await staleJwt.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(Password: newPassword, CurrentPassword: password))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);

        var secrets = new[]
        {
            password, newPassword, TestServer.AdminPassword, login.AccessToken, login.RefreshToken, refreshed.AccessToken,
            refreshed.RefreshToken, second.AccessToken, second.RefreshToken, apiToken.Token,
        };
        Assert.NotEmpty(capture.Lines);
        Assert.Contains(capture.Lines, l => l.Contains("signed in", StringComparison.Ordinal));
        foreach (var line in capture.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A secret reached the log: {line}");
            }

            // A JWT's signature part alone must not leak either.
            Assert.DoesNotContain(login.AccessToken.Split('.')[2], line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Logs_NeverContainMailedCodesTwoFactorSecretsOrGeneratedPasswords(DatabaseProvider provider)
    {
        var capture = new CapturingLoggerProvider();
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>(smtp.Settings), b =>
        {
            b.Logging.AddProvider(capture);
            b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
        });
        const string password = "Sup3r-secret-passphrase";
        const string newPassword = "An0ther-secret-passphrase";
        using var anonymous = server.CreateClient();

        // Email verification and password reset: the codes exist only in the mails.
        var (_, mailed) = await server.CreateUserAsync("mailed", password);
        var verification = (await smtp.WaitForAsync(m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal), "the verification mail")).Code;
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsJsonAsync("/api/auth/verify-email", new VerifyEmailRequest(verification + "x"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/verify-email", new VerifyEmailRequest(verification))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("mailed@example.test"))).StatusCode);
        var reset = (await smtp.WaitForAsync(m => m.Subject.StartsWith("Reset", StringComparison.Ordinal), "the reset mail")).Code;
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest(reset, newPassword))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest(reset, newPassword))).StatusCode);

        // Two-factor: the key, codes (right, wrong, replayed), recovery codes, the sign-in challenge.
        var (second, _) = await server.CreateUserAsync("second", password);
        var setup = (await (await second.PostAsJsonAsync("/api/users/me/two-factor/setup", new TwoFactorSetupRequest(password))).Content.ReadFromJsonAsync<TwoFactorSetupResponse>())!;
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var enableCode = TotpCalculator.CodeAt(setup.Secret, step);
        var recovery = (await (await second.PostAsJsonAsync("/api/users/me/two-factor/enable", new TwoFactorEnableRequest(enableCode))).Content.ReadFromJsonAsync<RecoveryCodesResponse>())!.RecoveryCodes;
        var challenge = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("second", password))).Content.ReadFromJsonAsync<TwoFactorChallengeResponse>())!.Challenge;
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge, enableCode))).StatusCode);
        var signInCode = TotpCalculator.CodeAt(setup.Secret, step + 1);
        var tokens = (await (await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge, signInCode))).Content.ReadFromJsonAsync<TokenResponse>())!;
        var challenge2 = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("second", password))).Content.ReadFromJsonAsync<TwoFactorChallengeResponse>())!.Challenge;
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge2, RecoveryCode: recovery[0]))).StatusCode);

        // An admin's generated password for someone else.
        var (admin, _) = await server.SignInAdminAsync();
        var generated = (await (await admin.PostAsync($"/api/admin/users/{mailed.User.Id}/reset-password", null)).Content.ReadFromJsonAsync<AdminPasswordResetResponse>())!.Password!;
        await smtp.WaitForAsync(m => m.Subject.Contains("password was changed", StringComparison.Ordinal), "the password changed notice");

        var secrets = new List<string>
        {
            password, newPassword, verification, reset, setup.Secret, enableCode, signInCode, challenge, challenge2, generated,
            tokens.AccessToken, tokens.RefreshToken,
        };
        secrets.AddRange(recovery);
        secrets.AddRange(recovery.Select(c => c.Replace("-", string.Empty, StringComparison.Ordinal)));
        Assert.Contains(capture.Lines, l => l.Contains("two-factor sign-in on", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("Sent the password-reset mail", StringComparison.Ordinal));
        foreach (var line in capture.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A secret reached the log: {line}");
            }
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {properties} {exception} [{string.Join("; ", scopes)}]");
            }
        }
    }
}
