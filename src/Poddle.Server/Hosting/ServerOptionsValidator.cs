using Microsoft.Extensions.Options;

namespace Poddle.Server.Hosting;

/// <summary>Checks <see cref="ServerOptions"/> (the root section); every failure names the key to set.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("DataDir must not be empty (set PODDLE_DATA_DIR or --data-dir).");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            failures.Add($"MaxRequestBodyBytes must be between 1024 and 1073741824 (got {options.MaxRequestBodyBytes}).");
        }

        if (TrustedProxyList.TryParse(options.TrustedProxies, out _) is { } proxyError)
        {
            failures.Add($"TrustedProxies: {proxyError}");
        }

        if (options.ShutdownTimeoutSeconds is < 1 or > 3600)
        {
            failures.Add($"ShutdownTimeoutSeconds must be between 1 and 3600 (got {options.ShutdownTimeoutSeconds}).");
        }

        if (DatabaseSettings.TryParse(options.Database, options.DataDir, out _) is { } databaseError)
        {
            failures.Add(databaseError);
        }

        if (options.Admin.Password is { Length: > 0 and < 8 })
        {
            failures.Add("Admin:Password (PODDLE_ADMIN_PASSWORD) must be at least 8 characters.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
