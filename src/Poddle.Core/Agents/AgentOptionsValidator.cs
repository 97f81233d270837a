using Microsoft.Extensions.Options;

namespace Poddle.Core.Agents;

/// <summary>Checks <see cref="AgentOptions"/> (section "Agents"); every failure names the key to set.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.ServerUrl) && !IsHttpUrl(options.ServerUrl))
        {
            failures.Add("Agents:ServerUrl must be an absolute http:// or https:// URL that pods can reach (e.g. 'http://10.0.0.5:8080').");
        }

        if (!string.IsNullOrEmpty(options.PublicUrl) && !IsHttpUrl(options.PublicUrl))
        {
            failures.Add("Agents:PublicUrl must be an absolute http:// or https:// URL that remote pods (RunPod) reach this server's main listener at (e.g. 'https://poddle.example.com').");
        }

        foreach (var (driver, url) in options.DriverServerUrls)
        {
            if (!IsHttpUrl(url))
            {
                failures.Add($"Agents:DriverServerUrls:{driver} must be an absolute http:// or https:// URL (e.g. 'http://172.17.0.1:8080').");
            }
        }

        if (options.ListenPort is < 0 or > 65535)
        {
            failures.Add("Agents:ListenPort must be a TCP port (1-65535), or 0 to pick a free one at the first start.");
        }

        if (options.HeartbeatInterval < TimeSpan.FromSeconds(1) || options.HeartbeatInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Agents:HeartbeatInterval must be between 00:00:01 and 01:00:00.");
        }

        if (options.LostAfterIntervals is < 2 or > 100)
        {
            failures.Add("Agents:LostAfterIntervals must be between 2 and 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;
}
