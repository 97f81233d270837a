using System.Globalization;

namespace Poddle.Agent.Static;

/// <summary>The encodings a static file can be sent in.</summary>
public enum ContentEncoding
{
    /// <summary>The file's bytes as they are.</summary>
    Identity,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip,

    /// <summary>Brotli (RFC 7932).</summary>
    Brotli,
}

/// <summary>
/// Picks the encoding for a response from the request's Accept-Encoding (RFC 9110 §12.5.3): the acceptable coding with
/// the highest q-value among those available, Brotli before gzip on a tie (it is smaller), identity when neither is
/// acceptable. A <c>q=0</c> refuses a coding; <c>*</c> stands for every coding not named.
/// </summary>
public static class AcceptEncodingNegotiator
{
    // Clients send the same header on every request (browsers, wrk, load balancers); remembering the last answer
    // spares parsing it again. A record is swapped whole, so readers on other threads see a consistent pair.
    private static Memo? s_last;

    /// <summary>Which of gzip and Brotli the header accepts, and their q-values (0 = not acceptable).</summary>
    public static (double Gzip, double Brotli) Parse(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return (0, 0);
        }

        if (s_last is { } memo && string.Equals(memo.Header, header, StringComparison.Ordinal))
        {
            return (memo.Gzip, memo.Brotli);
        }

        double? gzip = null, brotli = null, star = null;
        foreach (var range in header.AsSpan().Split(','))
        {
            var item = header.AsSpan(range).Trim();
            var semicolon = item.IndexOf(';');
            var coding = (semicolon < 0 ? item : item[..semicolon]).Trim();
            var q = semicolon < 0 ? 1.0 : ParseQuality(item[(semicolon + 1)..]);
            if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip = Math.Max(gzip ?? 0, q);
            }
            else if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                brotli = Math.Max(brotli ?? 0, q);
            }
            else if (coding.SequenceEqual("*"))
            {
                star = q;
            }
        }

        var result = (gzip ?? star ?? 0, brotli ?? star ?? 0);
        s_last = new Memo(header, result.Item1, result.Item2);
        return result;
    }

    /// <summary>The encoding to send, given which encoded copies exist.</summary>
    public static ContentEncoding Choose(string? header, bool hasGzip, bool hasBrotli)
    {
        if (!hasGzip && !hasBrotli)
        {
            return ContentEncoding.Identity;
        }

        var (gzip, brotli) = Parse(header);
        if (!hasGzip)
        {
            gzip = 0;
        }

        if (!hasBrotli)
        {
            brotli = 0;
        }

        if (brotli > 0 && brotli >= gzip)
        {
            return ContentEncoding.Brotli;
        }

        return gzip > 0 ? ContentEncoding.Gzip : ContentEncoding.Identity;
    }

    private static double ParseQuality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            if (parameter.Length > 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '='
                && double.TryParse(parameter[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q))
            {
                return Math.Clamp(q, 0, 1);
            }
        }

        return 1.0;
    }

    private sealed record Memo(string Header, double Gzip, double Brotli);
}
