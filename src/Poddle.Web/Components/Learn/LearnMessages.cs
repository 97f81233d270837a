using System.Globalization;
using Microsoft.Extensions.Localization;
using Poddle.Core.Common;
using Poddle.Web.Resources;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// Limits and verdicts in words a child understands (every language): the rate limit and a full queue say how many
/// seconds to wait (from the error's Retry-After), a verdict says what happened and what to try.
/// </summary>
internal static class LearnMessages
{
    public static string ForError(IStringLocalizer<LearnText> text, Error error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        var seconds = Seconds(error.RetryAfter);
        return error.Kind switch
        {
            ErrorKind.RateLimited => text["WaitSeconds", seconds].Value,
            ErrorKind.Unavailable when error.Code == ErrorCodes.QueueFull => text["QueueFull", seconds].Value,
            ErrorKind.Unavailable => text["NotAvailable"].Value,
            ErrorKind.TooLarge => text["CodeTooLarge"].Value,
            ErrorKind.NotFound => text["NotFound"].Value,
            ErrorKind.Validation => error.Fields?.Values.SelectMany(v => v).FirstOrDefault() ?? error.Message,
            _ => error.Message,
        };
    }

    /// <summary>The verdict's name ("Too slow").</summary>
    public static string Verdict(IStringLocalizer<LearnText> text, string verdict) =>
        Lookup(text, "Verdict_" + verdict) ?? verdict;

    /// <summary>What the verdict means and what to try next; null for a verdict that needs no help (ok).</summary>
    public static string? Help(IStringLocalizer<LearnText> text, string verdict) =>
        Lookup(text, "VerdictHelp_" + verdict);

    private static string? Lookup(IStringLocalizer<LearnText> text, string key)
    {
        var found = text[key];
        return found.ResourceNotFound ? null : found.Value;
    }

    /// <summary>Whole seconds, rounded up, at least 1.</summary>
    private static string Seconds(TimeSpan? wait) =>
        Math.Max(1, (int)Math.Ceiling((wait ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(CultureInfo.CurrentCulture);
}
