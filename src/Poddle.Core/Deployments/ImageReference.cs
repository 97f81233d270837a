using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Poddle.Core.Deployments;

/// <summary>
/// A container image reference, parsed with Docker's distribution/reference grammar:
/// <c>[registry[:port]/]path[:tag][@sha256:&lt;64 hex&gt;]</c>. The registry is the first component when it holds a
/// '.' or a ':' or is "localhost" (as Docker decides); path components are lower-case alphanumerics joined by
/// '.', '_', "__" or dashes; a tag is <c>[\w][\w.-]{0,127}</c>. Nothing is normalised (no "docker.io/library/"
/// added): the reference is passed to the driver as written.
/// </summary>
public sealed partial record ImageReference(string? Registry, string Path, string? Tag, string? Digest)
{
    /// <summary>The longest name (registry and path) Docker accepts.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Parses <paramref name="value"/>; false (and null) when it is not a valid reference.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ImageReference? reference)
    {
        reference = null;
        if (string.IsNullOrEmpty(value) || value.Length > 1024)
        {
            return false;
        }

        var rest = value;
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestRegex().IsMatch(digest))
            {
                return false;
            }
        }

        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagRegex().IsMatch(tag))
            {
                return false;
            }
        }

        if (rest.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        string? registry = null;
        var path = rest;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = rest[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" || first.Any(char.IsUpper))
            {
                if (!IsRegistry(first))
                {
                    return false;
                }

                registry = first;
                path = rest[(slash + 1)..];
            }
        }

        foreach (var component in path.Split('/'))
        {
            if (!PathComponentRegex().IsMatch(component))
            {
                return false;
            }
        }

        reference = new ImageReference(registry, path, tag, digest);
        return true;
    }

    /// <summary>The reference as written: registry, path, tag and digest.</summary>
    public override string ToString() =>
        (Registry is null ? "" : Registry + "/") + Path + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    private static bool IsRegistry(string value)
    {
        var host = value;
        string? port = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = value[..(close + 1)];
            var after = value[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return false;
                }

                port = after[1..];
            }

            if (!Ipv6Regex().IsMatch(host))
            {
                return false;
            }
        }
        else
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                host = value[..colon];
                port = value[(colon + 1)..];
            }

            if (!DomainRegex().IsMatch(host))
            {
                return false;
            }
        }

        return port is null
            || (port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit)
                && int.Parse(port, CultureInfo.InvariantCulture) is >= 1 and <= 65535);
    }

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DigestRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponentRegex();

    [GeneratedRegex(@"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainRegex();

    [GeneratedRegex(@"^\[[A-Fa-f0-9:]+\]\z", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6Regex();
}
