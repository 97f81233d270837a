using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;

namespace Poddle.Core.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// Registers accounts: options (section "Auth", validated at start; <paramref name="configure"/> runs after the
    /// binding), sign-in, tokens, two-factor, password reset, email verification, administration, and the account mail
    /// job. Needs <c>AddPoddleJobs</c> and <c>AddPoddleEmail</c> (Poddle.Core.Email); the host registers the
    /// <see cref="AccessTokenSigningKey"/> and the <see cref="SecretEncryptionKey"/>.
    /// </summary>
    public static IServiceCollection AddPoddleAccounts(this IServiceCollection services, Action<OptionsBuilder<AuthOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(AuthOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PasswordHasher>();
        services.TryAddSingleton<AccessTokenIssuer>();
        services.TryAddSingleton<SecretProtector>();
        services.TryAddScoped<AccountService>();
        services.TryAddScoped<ApiTokenService>();
        services.TryAddScoped<UserAdministration>();
        services.TryAddScoped<FailedAttempts>();
        services.TryAddScoped<AccountTokenStore>();
        services.TryAddScoped<AccountMail>();
        services.TryAddScoped<TwoFactorService>();
        services.TryAddScoped<PasswordResetService>();
        services.TryAddScoped<EmailVerificationService>();
        services.AddJobHandler<AccountMailJob>(AccountMailJob.JobKind);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IMaintenanceTask, AccountsCleanup>());
        return services;
    }
}
