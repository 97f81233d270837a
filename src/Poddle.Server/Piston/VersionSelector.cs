using System.Globalization;

namespace Poddle.Server.Piston;

/// <summary>
/// The SemVer range selectors Piston accepts in <c>version</c> (node-semver's syntax, without pre-releases):
/// exact ("3.11.2"), partial ("3", "3.11"), wildcards ("*", "x", "3.x", "3.11.*"), comparators (&gt;=, &gt;, &lt;,
/// &lt;=, =), tilde and caret ranges, hyphen ranges ("3.8 - 3.11"), space-separated intersections and
/// <c>||</c> unions. A leading "v" is ignored.
/// </summary>
public static class VersionSelector
{
    /// <summary>True when <paramref name="version"/> (as a runtime reports it) satisfies <paramref name="selector"/>; false for a selector that does not parse.</summary>
    public static bool Satisfies(string version, string selector)
    {
        if (ParseVersion(version) is not { } actual)
        {
            return false;
        }

        foreach (var alternative in selector.Split("||"))
        {
            if (ParseSet(alternative) is { } comparators && comparators.All(c => c.Matches(actual)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="selector"/> is a range this class understands.</summary>
    public static bool IsValid(string selector) => selector.Split("||").All(s => ParseSet(s) is not null);

    /// <summary>A runtime's version, leniently: up to three numeric parts (missing ones are 0), pre-release and build ignored.</summary>
    private static (int, int, int)? ParseVersion(string version)
    {
        var core = version.Trim().TrimStart('v', 'V').Split('-', '+')[0];
        var parts = core.Split('.');
        var numbers = new int[3];
        for (var i = 0; i < Math.Min(parts.Length, 3); i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }

        return (numbers[0], numbers[1], numbers[2]);
    }

    private static List<Comparator>? ParseSet(string set)
    {
        var tokens = set.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        // Join operators written apart from their version (">= 3.11").
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            if (tokens[i] is ">" or ">=" or "<" or "<=" or "=" or "~" or "^" or "~>")
            {
                tokens[i] += tokens[i + 1];
                tokens.RemoveAt(i + 1);
            }
        }

        var comparators = new List<Comparator>();
        if (tokens.Count == 0)
        {
            return comparators;
        }

        if (tokens.Count == 3 && tokens[1] == "-")
        {
            if (Partial.Parse(tokens[0]) is not { } from || Partial.Parse(tokens[2]) is not { } to)
            {
                return null;
            }

            comparators.Add(new Comparator(">=", from.Floor));
            if (to.Major is not null)
            {
                comparators.Add(to.Patch is not null ? new Comparator("<=", to.Floor) : new Comparator("<", to.NextUp));
            }

            return comparators;
        }

        foreach (var token in tokens)
        {
            if (!AddToken(token, comparators))
            {
                return null;
            }
        }

        return comparators;
    }

    private static bool AddToken(string token, List<Comparator> comparators)
    {
        var op = token.StartsWith(">=", StringComparison.Ordinal) || token.StartsWith("<=", StringComparison.Ordinal) || token.StartsWith("~>", StringComparison.Ordinal)
            ? token[..2]
            : token[0] is '>' or '<' or '=' or '~' or '^' ? token[..1] : "";
        if (Partial.Parse(token[op.Length..]) is not { } p)
        {
            return false;
        }

        switch (op)
        {
            case "" or "=":
                if (p.Major is null)
                {
                    return true;
                }

                if (p.Patch is not null)
                {
                    comparators.Add(new Comparator("=", p.Floor));
                }
                else
                {
                    comparators.Add(new Comparator(">=", p.Floor));
                    comparators.Add(new Comparator("<", p.NextUp));
                }

                return true;
            case ">=":
                comparators.Add(new Comparator(">=", p.Floor));
                return true;
            case ">":
                comparators.Add(p.Major is null ? new Comparator("<", (0, 0, 0)) : p.Patch is not null ? new Comparator(">", p.Floor) : new Comparator(">=", p.NextUp));
                return true;
            case "<":
                comparators.Add(new Comparator("<", p.Floor));
                return true;
            case "<=":
                if (p.Major is not null)
                {
                    comparators.Add(p.Patch is not null ? new Comparator("<=", p.Floor) : new Comparator("<", p.NextUp));
                }

                return true;
            case "~" or "~>":
                comparators.Add(new Comparator(">=", p.Floor));
                if (p.Major is not null)
                {
                    var (major, minor, _) = p.Floor;
                    comparators.Add(new Comparator("<", p.Minor is null ? (major + 1, 0, 0) : (major, minor + 1, 0)));
                }

                return true;
            default: // ^
                comparators.Add(new Comparator(">=", p.Floor));
                if (p.Major is not null)
                {
                    var (major, minor, patch) = p.Floor;
                    comparators.Add(new Comparator("<",
                        major > 0 || p.Minor is null ? (major + 1, 0, 0)
                        : minor > 0 || p.Patch is null ? (0, minor + 1, 0)
                        : (0, 0, patch + 1)));
                }

                return true;
        }
    }

    /// <summary>A version with wildcards: null parts are "any".</summary>
    private sealed record Partial(int? Major, int? Minor, int? Patch)
    {
        public (int, int, int) Floor => (Major ?? 0, Minor ?? 0, Patch ?? 0);

        /// <summary>The first version above every version this partial one stands for ("3.11" → 3.12.0).</summary>
        public (int, int, int) NextUp => Minor is null ? (Major!.Value + 1, 0, 0) : Patch is null ? (Major!.Value, Minor.Value + 1, 0) : (Major!.Value, Minor.Value, Patch.Value + 1);

        public static Partial? Parse(string text)
        {
            var core = text.Trim().TrimStart('v', 'V').Split('-', '+')[0];
            if (core.Length == 0)
            {
                return new Partial(null, null, null);
            }

            var parts = core.Split('.');
            if (parts.Length > 3)
            {
                return null;
            }

            var numbers = new int?[3];
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is "*" or "x" or "X")
                {
                    break;
                }

                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return null;
                }

                numbers[i] = n;
            }

            return new Partial(numbers[0], numbers[0] is null ? null : numbers[1], numbers[1] is null ? null : numbers[2]);
        }
    }

    private sealed record Comparator(string Op, (int, int, int) Version)
    {
        public bool Matches((int, int, int) actual)
        {
            var order = Compare(actual, Version);
            return Op switch
            {
                ">=" => order >= 0,
                ">" => order > 0,
                "<" => order < 0,
                "<=" => order <= 0,
                _ => order == 0,
            };
        }

        private static int Compare((int A, int B, int C) x, (int A, int B, int C) y) =>
            x.A != y.A ? x.A.CompareTo(y.A) : x.B != y.B ? x.B.CompareTo(y.B) : x.C.CompareTo(y.C);
    }
}
