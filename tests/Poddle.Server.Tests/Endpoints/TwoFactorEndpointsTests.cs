using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class TwoFactorEndpointsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TwoFactor_SetUpEnableThenSignInInTwoSteps_WhileApiTokensNeedNoCode(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var (alice, _) = await server.CreateUserAsync("tf-alice", Password);
        var apiToken = (await (await alice.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!.Token;
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsJsonAsync("/api/users/me/two-factor/setup", new TwoFactorSetupRequest("wrong-password"))).StatusCode);
        var setup = (await (await alice.PostAsJsonAsync("/api/users/me/two-factor/setup", new TwoFactorSetupRequest(Password))).Content.ReadFromJsonAsync<TwoFactorSetupResponse>())!;
        Assert.Equal((6, 30), (setup.Digits, setup.PeriodSeconds));
        Assert.StartsWith("otpauth://totp/Poddle%3Atf-alice?secret=" + setup.Secret, setup.OtpauthUri, StringComparison.Ordinal);
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var enabled = await alice.PostAsJsonAsync("/api/users/me/two-factor/enable", new TwoFactorEnableRequest(TotpCalculator.CodeAt(setup.Secret, step)));
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var recovery = (await enabled.Content.ReadFromJsonAsync<RecoveryCodesResponse>())!.RecoveryCodes;
        Assert.Equal(10, recovery.Count);
        Assert.Equal(new TwoFactorStatusResponse(true, false, 10), await alice.GetFromJsonAsync<TwoFactorStatusResponse>("/api/users/me/two-factor"));
        Assert.True((await alice.GetFromJsonAsync<UserResponse>("/api/users/me"))!.TwoFactorEnabled);

        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("tf-alice", Password));

        Assert.Equal(HttpStatusCode.Accepted, login.StatusCode);
        var challenge = (await login.Content.ReadFromJsonAsync<TwoFactorChallengeResponse>())!;
        Assert.True(challenge.TwoFactorRequired);
        Assert.DoesNotContain("accessToken", await login.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var wrong = await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge.Challenge, "000000" == TotpCalculator.CodeAt(setup.Secret, step + 1) ? "111111" : "000000"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid-two-factor-code", (await wrong.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);

        // The next step's code: the one used to enable is spent, and the next is inside the one-step drift window.
        var signedIn = await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest(challenge.Challenge, TotpCalculator.CodeAt(setup.Secret, step + 1)));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var tokens = (await signedIn.Content.ReadFromJsonAsync<TokenResponse>())!;
        using (var session = server.CreateClient(tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/auth/me")).StatusCode);
        }

        using (var cli = server.CreateClient(apiToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);
        }

        var disabled = await alice.PostAsJsonAsync("/api/users/me/two-factor/disable", new TwoFactorDisableRequest(Password, RecoveryCode: recovery[0]));
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("tf-alice", Password))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task LoginSecondStep_UnknownChallenge_Is401(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var anonymous = server.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/auth/login/two-factor", new TwoFactorLoginRequest("made-up-challenge", "123456"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid-two-factor-challenge", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }
}
