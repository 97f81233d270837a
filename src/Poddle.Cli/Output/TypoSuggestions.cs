namespace Poddle.Cli.Output;

/// <summary>
/// "Did you mean" for a mistyped command or option: the known names closest to what was typed, by optimal string
/// alignment distance (Levenshtein plus swapped neighbours, so `porjects` is one edit from `projects`), ignoring case and
/// leading dashes. A name is suggested when it is at most a third of the typed length away (at least one edit), or when
/// what was typed (three characters or more) starts it.
/// </summary>
internal static class TypoSuggestions
{
    /// <summary>The best candidates, closest first (at most three).</summary>
    public static IReadOnlyList<string> For(string typed, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(candidates);
        var word = Bare(typed);
        if (word.Length == 0)
        {
            return [];
        }

        var limit = Math.Max(1, word.Length / 3);
        return [.. candidates
            .Distinct(StringComparer.Ordinal)
            .Select(candidate => (Candidate: candidate, Distance: Distance(word, Bare(candidate))))
            .Where(c => c.Distance <= limit || (word.Length >= 3 && Bare(c.Candidate).StartsWith(word, StringComparison.Ordinal)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Select(c => c.Candidate)
            .Take(3)];
    }

    /// <summary>" Did you mean 'x'?" or " Did you mean 'x' or 'y'?"; empty without a suggestion.</summary>
    public static string Sentence(IReadOnlyList<string> suggestions) => suggestions.Count switch
    {
        0 => string.Empty,
        1 => $" Did you mean '{suggestions[0]}'?",
        _ => $" Did you mean {string.Join(", ", suggestions.Take(suggestions.Count - 1).Select(s => $"'{s}'"))} or '{suggestions[^1]}'?",
    };

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Bare(string name) => name.TrimStart('-', '/').ToLowerInvariant();
}
