using System.Globalization;
using System.Text;

namespace Poddle.Cli.Deployments;

/// <summary>Parsing of the human forms the CLI accepts: CPU ("250m", "0.5"), memory ("256Mi", "512M"), durations ("90s", "10m"), K=V pairs, command lines.</summary>
internal static class Quantities
{
    /// <summary>"250m" → 250 millicores; "0.5" or "1" → cores × 1000. Null when not a CPU quantity.</summary>
    public static int? ParseCpu(string text)
    {
        var value = text.Trim();
        if (value.EndsWith('m'))
        {
            return int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var milli) && milli > 0 ? milli : null;
        }

        return decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cores) && cores > 0 && cores <= 1_000_000
            ? (int)Math.Ceiling(cores * 1000)
            : null;
    }

    /// <summary>
    /// Memory in MiB (the API's MemoryMb): binary suffixes Ki, Mi, Gi, Ti; decimal K, M, G, T (rounded up to whole MiB);
    /// a bare number is MiB. Null when not a memory quantity.
    /// </summary>
    public static int? ParseMemoryMb(string text)
    {
        var value = text.Trim();
        var digits = value.TrimEnd('i', 'I', 'b', 'B', 'k', 'K', 'm', 'M', 'g', 'G', 't', 'T');
        var suffix = value[digits.Length..];
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return null;
        }

        decimal? bytes = suffix switch
        {
            "" => number * 1024 * 1024,
            "Ki" => number * 1024,
            "Mi" => number * 1024 * 1024,
            "Gi" => number * 1024 * 1024 * 1024,
            "Ti" => number * 1024 * 1024 * 1024 * 1024,
            "K" or "k" or "KB" or "kB" => number * 1000,
            "M" or "MB" => number * 1000 * 1000,
            "G" or "GB" => number * 1000 * 1000 * 1000,
            "T" or "TB" => number * 1000 * 1000 * 1000 * 1000,
            _ => null,
        };
        if (bytes is not { } b)
        {
            return null;
        }

        var mib = Math.Ceiling(b / (1024 * 1024));
        return mib is > 0 and <= int.MaxValue ? (int)mib : null;
    }

    /// <summary>"90s", "10m", "2h", "1d", "1h30m" or a bare number of seconds. Null when not a duration.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var value = text.Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bare))
        {
            return TimeSpan.FromSeconds(bare);
        }

        var total = TimeSpan.Zero;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsAsciiDigit(value[i]) || value[i] == '.')
            {
                continue;
            }

            if (i == start || !double.TryParse(value[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                return null;
            }

            var unit = value[i];
            var millis = i + 1 < value.Length && unit == 'm' && value[i + 1] == 's';
            total += millis ? TimeSpan.FromMilliseconds(n) : unit switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => TimeSpan.MinValue,
            };
            if (total < TimeSpan.Zero)
            {
                return null;
            }

            i += millis ? 1 : 0;
            start = i + 1;
        }

        return start == value.Length ? total : null;
    }

    /// <summary>A duration the short way: "45s", "5m", "1h30m", "2d".</summary>
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)span.TotalSeconds)}s");
        }

        if (span < TimeSpan.FromHours(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m{(span.Seconds > 0 ? $"{span.Seconds}s" : string.Empty)}");
        }

        return span < TimeSpan.FromDays(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{(span.Minutes > 0 ? $"{span.Minutes}m" : string.Empty)}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d");
    }

    /// <summary>"K=V" → (K, V); "K" → (K, null). The key must be an environment variable name.</summary>
    public static (string Key, string? Value) ParsePair(string text, string what)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var key = equals < 0 ? text : text[..equals];
        if (!IsEnvName(key))
        {
            throw CliException.Usage($"'{(equals < 0 ? text : key + "=...")}' is not a valid {what}: use KEY=VALUE with KEY made of letters, digits and '_', not starting with a digit.");
        }

        return (key, equals < 0 ? null : text[(equals + 1)..]);
    }

    /// <summary>Letters, digits and '_', not starting with a digit.</summary>
    public static bool IsEnvName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>
    /// Splits a command line as a POSIX shell would split words (no expansion): whitespace separates, '...' is literal,
    /// "..." allows \" and \\, a backslash outside quotes escapes the next character.
    /// </summary>
    public static IReadOnlyList<string> SplitCommand(string commandLine)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw CliException.Usage($"Unterminated ' in the command: {commandLine}");
                    }

                    current.Append(commandLine, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i++;
                    while (i < commandLine.Length && commandLine[i] != '"')
                    {
                        if (commandLine[i] == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        current.Append(commandLine[i]);
                        i++;
                    }

                    if (i >= commandLine.Length)
                    {
                        throw CliException.Usage($"Unterminated \" in the command: {commandLine}");
                    }

                    inWord = true;
                    break;
                case '\\' when i + 1 < commandLine.Length:
                    current.Append(commandLine[++i]);
                    inWord = true;
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
