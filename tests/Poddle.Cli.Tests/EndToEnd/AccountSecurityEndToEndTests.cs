using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// The done-when for accounts: a new user resets a forgotten password and turns on two-factor sign-in, end to
/// end, against the real `poddle serve` process and a real SMTP server (aiosmtpd) whose received mails the test reads —
/// once through `poddle` child processes and once through the HTTP API.
/// </summary>
public sealed class AccountSecurityEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const string NewPassword = "a-brand-new-passphrase";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ForgottenPasswordAndTwoFactor_ThroughCliAndApi_WithARealSmtpServer(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var root = Path.Combine(Path.GetTempPath(), "poddle-e2e-accounts-" + Guid.NewGuid().ToString("N")[..12]);
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        try
        {
            var environment = new Dictionary<string, string?>(smtp.EnvironmentVariables)
            {
                ["PODDLE_DATABASE"] = database.Setting,
                ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
                ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                ["PODDLE_Email__ServerUrl"] = url,
            };

            // The data directory does not exist yet: `poddle serve` makes it, as it does for a new user.
            await using var server = PoddleProcess.Start(["serve", "--urls", url, "--data-dir", Path.Combine(root, "data")], environment);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));

            await ThroughTheCliAsync(smtp, url, Path.Combine(root, "config"));
            await ThroughTheApiAsync(smtp, http);
        }
        finally
        {
            RegisterLoginProjectFlowTests.DeleteQuietly(root);
        }
    }

    private static async Task ThroughTheCliAsync(SmtpTestServer smtp, string url, string configDir)
    {
        var environment = new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1" };
        Task<CliRun> Poddle(string? stdin, params string[] args) => PoddleProcess.RunAsync([.. args, "--server", url], environment, stdin);

        static void Ok(CliRun run) => Assert.True(run.ExitCode == 0, run.ToString());

        // Register; the verification mail names the command that confirms the address, which works as written.
        Ok(await Poddle(Password + "\n", "register", "--username", "cli-user", "--email", "cli@example.test", "--password-stdin"));
        var verification = await smtp.WaitForAsync(m => m.To.Contains("cli@example.test") && m.Subject.StartsWith("Confirm", StringComparison.Ordinal), "the CLI user's verification mail");
        var command = verification.Body.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("poddle verify-email ", StringComparison.Ordinal));
        Assert.Equal($"poddle verify-email {verification.Code} --server {url}", command);
        Ok(await PoddleProcess.RunAsync(command.Split(' ')[1..], environment));

        // Forgot the password: a code by mail, then the new password with it.
        var requested = await Poddle(null, "password", "reset", "--email", "cli@example.test");
        Ok(requested);
        Assert.Contains("poddle password reset --token", requested.Stdout, StringComparison.Ordinal);
        var reset = await smtp.WaitForAsync(m => m.To.Contains("cli@example.test") && m.Subject == "Reset your Poddle password", "the CLI user's reset mail");
        Ok(await Poddle(NewPassword + "\n", "password", "reset", "--token", reset.Code, "--password-stdin"));
        Assert.Equal(1, (await Poddle(Password + "\n", "login", "-u", "cli-user", "--password-stdin")).ExitCode);
        Ok(await Poddle(NewPassword + "\n", "login", "-u", "cli-user", "--password-stdin"));
        await smtp.WaitForAsync(m => m.To.Contains("cli@example.test") && m.Subject == "Your Poddle password was changed", "the password changed notice");
        await smtp.WaitForAsync(m => m.To.Contains("cli@example.test") && m.Subject == "New sign-in to your Poddle account", "the new sign-in notice");

        // Two-factor: set up, confirm, then sign-in needs a code; the stored API token keeps working.
        var setupRun = await Poddle(NewPassword + "\n", "2fa", "enable", "--password-stdin", "--json");
        Ok(setupRun);
        var secret = JsonSerializer.Deserialize(setupRun.Stdout, PoddleJsonContext.Default.TwoFactorSetupResponse)!.Secret;
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var enabled = await Poddle(null, "2fa", "enable", "--code", TotpCalculator.CodeAt(secret, step));
        Ok(enabled);
        var recovery = enabled.Stdout.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Length == 19 && l.Count(c => c == '-') == 3).ToList();
        Assert.Equal(10, recovery.Count);
        var whoami = JsonSerializer.Deserialize((await Poddle(null, "whoami", "--json")).Stdout, PoddleJsonContext.Default.UserResponse)!;
        Assert.True(whoami.TwoFactorEnabled);
        Assert.True(whoami.EmailVerified);

        Ok(await Poddle(null, "logout"));
        var noCode = await Poddle(NewPassword + "\n", "login", "-u", "cli-user", "--password-stdin");
        Assert.Equal(2, noCode.ExitCode);
        Assert.Contains("--code", noCode.Stderr, StringComparison.Ordinal);
        Ok(await Poddle(NewPassword + "\n", "login", "-u", "cli-user", "--password-stdin", "--code", TotpCalculator.CodeAt(secret, step + 1)));
        Ok(await Poddle(NewPassword + "\n", "login", "-u", "cli-user", "--password-stdin", "--recovery-code", recovery[0]));
        var status = JsonSerializer.Deserialize((await Poddle(null, "2fa", "status", "--json")).Stdout, PoddleJsonContext.Default.TwoFactorStatusResponse)!;
        Assert.Equal(new TwoFactorStatusResponse(true, false, 9), status);
    }

    private static async Task ThroughTheApiAsync(SmtpTestServer smtp, HttpClient http)
    {
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest("api@example.test", "api-user", Password))).StatusCode);
        var verification = await smtp.WaitForAsync(m => m.To.Contains("api@example.test") && m.Subject.StartsWith("Confirm", StringComparison.Ordinal), "the API user's verification mail");
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/auth/verify-email", new VerifyEmailRequest(verification.Code))).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("api@example.test"))).StatusCode);
        var reset = await smtp.WaitForAsync(m => m.To.Contains("api@example.test") && m.Subject == "Reset your Poddle password", "the API user's reset mail");
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest(reset.Code, NewPassword))).StatusCode);
        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("api-user", NewPassword));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;

        using var user = new HttpClient { BaseAddress = http.BaseAddress, Timeout = http.Timeout };
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var setup = (await (await user.PostAsJsonAsync("/api/users/me/two-factor/setup", new TwoFactorSetupRequest(NewPassword))).Content.ReadFromJsonAsync<TwoFactorSetupResponse>())!;
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var enabled = await user.PostAsJsonAsync("/api/users/me/two-factor/enable", new TwoFactorEnableRequest(TotpCalculator.CodeAt(setup.Secret, step)));
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var recovery = (await enabled.Content.ReadFromJsonAsync<RecoveryCodesResponse>())!.RecoveryCodes;

        var password = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("api-user", NewPassword));
        Assert.Equal(HttpStatusCode.Accepted, password.StatusCode);
        var challenge = (await password.Content.ReadFromJsonAsync<TwoFactorChallengeResponse>())!.Challenge;
        var second = await http.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge, TotpCalculator.CodeAt(setup.Secret, step + 1)));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var again = (await (await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("api-user", NewPassword))).Content.ReadFromJsonAsync<TwoFactorChallengeResponse>())!.Challenge;
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(again, RecoveryCode: recovery[0]))).StatusCode);
    }
}
