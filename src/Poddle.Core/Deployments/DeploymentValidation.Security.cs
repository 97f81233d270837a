using System.Globalization;
using System.Text.RegularExpressions;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>The rules for a deployment's security settings, its registry credentials, and what its driver must be able to do for them.</summary>
public static partial class DeploymentValidation
{
    public const int MaxRegistryServerLength = 255;
    public const int MaxRegistryUsernameLength = 256;
    public const int MaxRegistryPasswordLength = 8192;

    /// <summary>
    /// The security settings of a new revision: <paramref name="input"/> when given (a missing field is its default),
    /// else the current ones. Capabilities are upper-cased, "CAP_" dropped, de-duplicated and sorted.
    /// </summary>
    internal static SecuritySpec BuildSecurity(SecurityInput? input, SecuritySpec? current, FieldErrors errors)
    {
        if (input is null)
        {
            return current ?? SecuritySpec.Default;
        }

        var runAsNonRoot = input.RunAsNonRoot ?? false;
        var user = input.User;
        if (user is not null)
        {
            var match = UserRegex().Match(user);
            if (!match.Success || user.Split(':').Any(part => part.All(char.IsAsciiDigit) && !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                errors.Add(DeploymentFields.SecurityUser, "Must be a uid, uid:gid, name or name:group (names: lower-case letters, digits, '_', '-', at most 32 characters; ids up to 2147483647).");
            }
            else if (runAsNonRoot && (match.Groups["user"].Value is "root" || (uint.TryParse(match.Groups["user"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid == 0)))
            {
                errors.Add(DeploymentFields.SecurityUser, "Is root (uid 0), which runAsNonRoot forbids; give a non-root uid such as 65534.");
            }
        }

        var capabilities = new SortedSet<string>(StringComparer.Ordinal);
        var given = input.Capabilities ?? [];
        for (var i = 0; i < given.Count; i++)
        {
            var name = (given[i] ?? string.Empty).Trim().ToUpperInvariant();
            name = name.StartsWith("CAP_", StringComparison.Ordinal) ? name[4..] : name;
            if (PodSecurity.AllowedCapabilities.Contains(name))
            {
                capabilities.Add(name);
            }
            else
            {
                errors.Add(DeploymentFields.SecurityCapabilities.Index(i), $"'{Truncate(name, 40)}' cannot be given to a pod; allowed: {string.Join(", ", PodSecurity.AllowedCapabilities.Order(StringComparer.Ordinal))}.");
            }
        }

        return new SecuritySpec(input.ReadOnlyRootFilesystem ?? false, runAsNonRoot, user, [.. capabilities]);
    }

    /// <summary>
    /// The registry credentials of a new revision: <paramref name="input"/> when given (one with no field removes them; a
    /// missing password keeps the current one for the same server and user), else the current ones. They must be for
    /// the registry <paramref name="image"/> is pulled from. The password is encrypted here and never quoted.
    /// </summary>
    internal static RegistryAuthSpec? BuildRegistryAuth(RegistryAuthInput? input, RegistryAuthSpec? current, string? image, SecretProtector protector, FieldErrors errors)
    {
        if (input is { IsEmpty: true })
        {
            return null;
        }

        if (input is null)
        {
            if (current is not null && image is not null && PodRegistryAuth.NormalizeServer(current.Server) != PodRegistryAuth.RegistryOf(image))
            {
                errors.Add(DeploymentFields.RegistryServer, $"The credentials are for {current.Server} but the image is pulled from {PodRegistryAuth.RegistryOf(image)}; give registryAuth for that registry, or {{}} to remove them.");
            }

            return image is null ? null : current;
        }

        if (image is null)
        {
            errors.Add(DeploymentFields.RegistryAuth, "Only an image deployment pulls from a registry.");
            return null;
        }

        var server = input.Server?.Trim() ?? string.Empty;
        if (server.Length is 0 or > MaxRegistryServerLength || !RegistryServerRegex().IsMatch(server))
        {
            errors.Add(DeploymentFields.RegistryServer, $"Must be the registry's host[:port] as the image names it (e.g. registry.example.com or localhost:5000), at most {MaxRegistryServerLength} characters.");
        }
        else if (PodRegistryAuth.NormalizeServer(server) != PodRegistryAuth.RegistryOf(image))
        {
            errors.Add(DeploymentFields.RegistryServer, $"The image is pulled from {PodRegistryAuth.RegistryOf(image)}, not from {Truncate(server, 64)}: credentials are only sent to the image's registry.");
        }

        var username = input.Username ?? string.Empty;
        if (username.Length is 0 or > MaxRegistryUsernameLength || username.Any(char.IsControl) || username.Contains(':', StringComparison.Ordinal))
        {
            errors.Add(DeploymentFields.RegistryUsername, $"Required: 1-{MaxRegistryUsernameLength} characters, without ':' or control characters.");
        }

        byte[]? ciphertext = null;
        if (string.IsNullOrEmpty(input.Password))
        {
            if (current is not null && PodRegistryAuth.NormalizeServer(current.Server) == PodRegistryAuth.NormalizeServer(server) && current.Username == username)
            {
                // The same account again without its password: the stored one stays (it is never shown, so never re-sent).
                ciphertext = current.PasswordCiphertext;
            }
            else
            {
                errors.Add(DeploymentFields.RegistryPassword, "Required (write-only: it is never shown again).");
            }
        }
        else if (input.Password.Length > MaxRegistryPasswordLength || input.Password.Any(c => c is '\0' or '\r' or '\n'))
        {
            errors.Add(DeploymentFields.RegistryPassword, $"Must be at most {MaxRegistryPasswordLength} characters, without NUL or line breaks.");
        }
        else
        {
            ciphertext = protector.ProtectValue(input.Password);
        }

        return ciphertext is null ? null : new RegistryAuthSpec(server, username, ciphertext);
    }

    /// <summary>What the driver must be able to do for the spec: exec for a command check, each security setting asked for.</summary>
    internal static void CheckDriverAbilities(IPodDriver driver, DeploymentSpec spec, FieldErrors errors)
    {
        if (string.Equals(spec.HealthCheck?.Type, "command", StringComparison.OrdinalIgnoreCase) && !driver.Capabilities.Exec)
        {
            errors.Add(DeploymentFields.HealthCheckType, $"The driver '{driver.Name}' cannot run a command inside a pod, so a 'command' check cannot run there; use 'http' (with a path) or 'tcp' (the port).");
        }

        var missing = spec.Security.ToPodSecurity().Requested & ~driver.Capabilities.Security;
        foreach (var (feature, field) in SecurityFields)
        {
            if (missing.HasFlag(feature))
            {
                errors.Add(field, $"The driver '{driver.Name}' cannot honour this setting{(driver.Name == PodDriverNames.Sandbox ? " (its pods always run as its own unprivileged user, without capabilities)" : string.Empty)}.");
            }
        }
    }

    private static readonly (PodSecurityFeatures Feature, FieldPath Field)[] SecurityFields =
    [
        (PodSecurityFeatures.ReadOnlyRootFilesystem, DeploymentFields.SecurityReadOnlyRootFilesystem),
        (PodSecurityFeatures.RunAsNonRoot, DeploymentFields.SecurityRunAsNonRoot),
        (PodSecurityFeatures.User, DeploymentFields.SecurityUser),
        (PodSecurityFeatures.AddCapabilities, DeploymentFields.SecurityCapabilities),
    ];

    // A uid (at most 2147483647, as the kernel's uid_t as Docker reads it) or a POSIX-ish name; then optionally :gid or :group.
    [GeneratedRegex(@"^(?<user>(?:[0-9]{1,10}|[a-z_][a-z0-9_-]{0,31}))(?::(?:[0-9]{1,10}|[a-z_][a-z0-9_-]{0,31}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserRegex();

    [GeneratedRegex(@"^(?:https?://)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegistryServerRegex();
}
