using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class AccountRecoveryEndpointsTests
{
    private const string Password = "correct-horse-battery";
    private const string NewPassword = "a-brand-new-passphrase";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task PasswordReset_MailedCodeSetsANewPassword_AndTheAnswerNeverTellsWhetherTheAddressExists(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>(smtp.Settings));
        var (alice, _) = await server.CreateUserAsync("alice", Password);
        using var anonymous = server.CreateClient();

        var known = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("alice@example.test"));
        var unknown = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("nobody@example.test"));

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        var mail = await smtp.WaitForAsync(m => m.Subject == "Reset your Poddle password", "the reset mail");
        Assert.Equal(["alice@example.test"], mail.To);
        Assert.DoesNotContain(smtp.Messages(), m => m.To.Contains("nobody@example.test"));

        var confirmed = await anonymous.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest(mail.Code, NewPassword));

        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("alice", Password))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("alice", NewPassword))).StatusCode);
        var reused = await anonymous.PostAsJsonAsync("/api/auth/password-reset/confirm", new PasswordResetConfirmRequest(mail.Code, "yet-another-passphrase"));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        var problem = (await reused.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("invalid-reset-token", problem.Code);
        Assert.Contains("token", problem.Errors!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task WithoutAnSmtpServer_ResetIs503EmailNotConfigured_AndNothingHoldsDeployingBack(DatabaseProvider provider)
    {
        await using var server = await StartWithTestDriversAsync(provider, new Dictionary<string, string?>());
        var (alice, tokens) = await server.CreateUserAsync("alice", Password);
        using var anonymous = server.CreateClient();

        var reset = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new PasswordResetRequest("alice@example.test"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reset.StatusCode);
        Assert.Equal("email-not-configured", (await reset.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
        Assert.False(tokens.User.EmailVerified);
        var project = await CreateProjectAsync(alice);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("web", Image: "ghcr.io/example/web:1"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task VerifyEmail_AnUnverifiedAccountSignsInButCannotDeploy_UntilItConfirmsTheMailedCode(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await StartWithTestDriversAsync(provider, smtp.Settings);
        var (alice, tokens) = await server.CreateUserAsync("alice", Password);
        Assert.False(tokens.User.EmailVerified);
        var project = await CreateProjectAsync(alice);
        var web = new CreateDeploymentRequest("web", Image: "ghcr.io/example/web:1");

        var refused = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", web);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("email-not-verified", problem.Code);
        Assert.Contains("poddle verify-email", problem.Detail, StringComparison.Ordinal);

        var mail = await smtp.WaitForAsync(m => m.Subject == "Confirm your email address for Poddle", "the verification mail");
        using var anonymous = server.CreateClient();
        var verified = await anonymous.PostAsJsonAsync("/api/auth/verify-email", new VerifyEmailRequest(mail.Code));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.True((await verified.Content.ReadFromJsonAsync<UserResponse>())!.EmailVerified);

        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", web)).StatusCode);
        Assert.True((await alice.GetFromJsonAsync<UserResponse>("/api/users/me"))!.EmailVerified);
        var resend = await alice.PostAsync("/api/users/me/verify-email", null);
        Assert.Equal(HttpStatusCode.Conflict, resend.StatusCode);
        Assert.Equal("email-already-verified", (await resend.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Fact]
    public async Task VerifyEmail_Resend_MailsANewCode()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>(smtp.Settings));
        var (alice, _) = await server.CreateUserAsync("alice", Password);
        await smtp.WaitForAsync(m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal), "the first verification mail");

        var resend = await alice.PostAsync("/api/users/me/verify-email", null);

        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        await Poll.UntilAsync(() => Task.FromResult(smtp.Messages().Count(m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal)) == 2), "a second verification mail", TimeSpan.FromSeconds(30));
        var codes = smtp.Messages().Where(m => m.Subject.StartsWith("Confirm", StringComparison.Ordinal)).Select(m => m.Code).ToList();
        Assert.NotEqual(codes[0], codes[1]);
    }

    internal static Task<TestServer> StartWithTestDriversAsync(DatabaseProvider provider, IReadOnlyDictionary<string, string?> settings) =>
        TestServer.StartAsync(provider, new Dictionary<string, string?>(settings), b =>
        {
            b.Services.RemoveAll<IPodDriver>();
            b.Services.AddSingleton<IPodDriver>(new NamedTestPodDriver("docker", images: true, commands: false));
        });

    internal static async Task<Guid> CreateProjectAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
    }
}
