using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>Account security: two-step sign-in, password reset, email verification, two-factor, and user administration.</summary>
public sealed partial class PoddleClient
{
    /// <summary>The code <see cref="LoginAsync"/> throws with when the account needs a second factor (use <see cref="SignInAsync"/>).</summary>
    public const string TwoFactorRequiredCode = "two-factor-required";

    /// <summary>POST /api/auth/login: tokens (200), or a two-factor challenge (202) to finish with <see cref="CompleteTwoFactorSignInAsync"/>.</summary>
    public async Task<SignInResult> SignInAsync(LoginRequest request, CancellationToken cancellationToken = default)
    {
        using var message = CreateRequest(HttpMethod.Post, "api/auth/login");
        message.Content = JsonContent.Create(request, PoddleJsonContext.Default.LoginRequest);
        var response = await SendCoreAsync(message, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? new SignInResult(null, await ReadAsync(response, PoddleJsonContext.Default.TwoFactorChallengeResponse, cancellationToken))
            : new SignInResult(await ReadAsync(response, PoddleJsonContext.Default.TokenResponse, cancellationToken), null);
    }

    /// <summary>POST /api/auth/login/two-factor: the challenge and a code or a recovery code.</summary>
    public Task<TokenResponse> CompleteTwoFactorSignInAsync(TwoFactorLoginRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/login/two-factor", request, PoddleJsonContext.Default.TwoFactorLoginRequest, PoddleJsonContext.Default.TokenResponse, cancellationToken);

    // Password reset and email verification
    public Task<AcceptedResponse> RequestPasswordResetAsync(PasswordResetRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/password-reset", request, PoddleJsonContext.Default.PasswordResetRequest, PoddleJsonContext.Default.AcceptedResponse, cancellationToken);

    public Task ConfirmPasswordResetAsync(PasswordResetConfirmRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/password-reset/confirm", request, PoddleJsonContext.Default.PasswordResetConfirmRequest, cancellationToken);

    public Task<UserResponse> VerifyEmailAsync(VerifyEmailRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/verify-email", request, PoddleJsonContext.Default.VerifyEmailRequest, PoddleJsonContext.Default.UserResponse, cancellationToken);

    /// <summary>Mails the signed-in user a new verification code.</summary>
    public Task<AcceptedResponse> ResendVerificationAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/users/me/verify-email", PoddleJsonContext.Default.AcceptedResponse, cancellationToken);

    // Two-factor sign-in
    public Task<TwoFactorStatusResponse> GetTwoFactorStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/users/me/two-factor", PoddleJsonContext.Default.TwoFactorStatusResponse, cancellationToken);

    public Task<TwoFactorSetupResponse> SetUpTwoFactorAsync(TwoFactorSetupRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/users/me/two-factor/setup", request, PoddleJsonContext.Default.TwoFactorSetupRequest, PoddleJsonContext.Default.TwoFactorSetupResponse, cancellationToken);

    public Task<RecoveryCodesResponse> EnableTwoFactorAsync(TwoFactorEnableRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/users/me/two-factor/enable", request, PoddleJsonContext.Default.TwoFactorEnableRequest, PoddleJsonContext.Default.RecoveryCodesResponse, cancellationToken);

    public Task DisableTwoFactorAsync(TwoFactorDisableRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/users/me/two-factor/disable", request, PoddleJsonContext.Default.TwoFactorDisableRequest, cancellationToken);

    // User administration (admin role)
    public Task<UserListResponse> ListUsersAsync(int offset = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"api/admin/users?offset={offset}&limit={limit}"), PoddleJsonContext.Default.UserListResponse, cancellationToken);

    public Task<UserResponse> UpdateUserAccessAsync(Guid id, UpdateUserAccessRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"api/admin/users/{id}", request, PoddleJsonContext.Default.UpdateUserAccessRequest, PoddleJsonContext.Default.UserResponse, cancellationToken);

    public Task<UserResponse> DisableUserAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{id}/disable", PoddleJsonContext.Default.UserResponse, cancellationToken);

    public Task<UserResponse> EnableUserAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{id}/enable", PoddleJsonContext.Default.UserResponse, cancellationToken);

    public Task<AdminPasswordResetResponse> ResetUserPasswordAsync(Guid id, AdminPasswordResetRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{id}/reset-password", request, PoddleJsonContext.Default.AdminPasswordResetRequest, PoddleJsonContext.Default.AdminPasswordResetResponse, cancellationToken);
}
