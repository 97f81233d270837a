using System.Text;

namespace Poddle.Core.Curriculum.Grading;

/// <summary>Compares a program's standard output with a stdin test's expected output.</summary>
public static class OutputComparer
{
    /// <summary>
    /// Trim: equal after removing trailing whitespace (spaces, tabs, \r ...) of each line and trailing blank lines, so
    /// "3 \r\n\n" equals "3". Exact: the UTF-8 bytes of <paramref name="expected"/> equal <paramref name="actual"/>.
    /// </summary>
    public static bool Matches(OutputComparison comparison, string expected, ReadOnlySpan<byte> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return comparison == OutputComparison.Exact
            ? actual.SequenceEqual(Encoding.UTF8.GetBytes(expected))
            : string.Equals(Normalize(expected), Normalize(Encoding.UTF8.GetString(actual)), StringComparison.Ordinal);
    }

    /// <summary>The text as trim comparison sees it: lines without trailing whitespace, no trailing blank lines, joined by \n.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join('\n', lines);
    }
}
