using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>How the learning commands write tests, rates, streaks and times for people.</summary>
internal static class CurriculumText
{
    /// <summary>A test as one line: "1. input "3 4\n" → output "7\n"" or "2. add(1, 2) → 3".</summary>
    internal static string DescribeTest(TestCaseResponse test) =>
        test.Kind == "function"
            ? $"  {Number(test.Index)}. {test.Call} → {test.Expected}"
            : $"  {Number(test.Index)}. input {Quote(test.Stdin ?? string.Empty, 200)} → output {Quote(test.ExpectedStdout ?? string.Empty, 200)}";

    /// <summary>People count tests from 1; the API's index counts from 0.</summary>
    internal static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Text on one line, quoted, with newlines and tabs shown as \n and \t, cut at <paramref name="max"/> characters.</summary>
    internal static string Quote(string text, int max)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return "\"" + (escaped.Length > max ? escaped[..max] + "…" : escaped) + "\"";
    }

    internal static string Percent(double rate) => string.Create(CultureInfo.InvariantCulture, $"{rate * 100:0.#}%");

    internal static string Days(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");

    internal static string Ago(DateTimeOffset now, DateTimeOffset? at) => at is { } t ? Quantities.Format(now - t) + " ago" : "never";
}
