namespace Poddle.Agent.Static;

/// <summary>
/// Recognises file names that carry a content hash (bundlers write <c>app.3f2a9c1b.js</c>, <c>index-BxK3p9aZ.css</c>,
/// <c>main.3f2a9c1b.chunk.js</c>): such a file never changes under its name, so it may be cached for a year as immutable.
/// </summary>
/// <remarks>
/// A wrong "yes" would pin a changing file in browsers for a year, a wrong "no" only costs a revalidation, so the rule
/// leans to "no": a segment of the name (split on '.' and '-') is a hash when it is
/// (a) 8 or more hex digits with at least one digit and one letter (webpack, CRA: <c>3f2a9c1b</c>, <c>3F2A9C1B</c>), or
/// (b) 8 to 16 characters of [A-Za-z0-9_] with a digit, an upper-case and a lower-case letter (Rollup/Vite base64url:
/// <c>BxK3p9aZ</c>). Words and dates (<c>component</c>, <c>20241201</c>, <c>my_widget_v2</c>) are not hashes.
/// </remarks>
public static class HashedAssetName
{
    /// <summary>Whether <paramref name="fileName"/> (a name, not a path) has a hash-like segment before its extension.</summary>
    public static bool IsHashed(ReadOnlySpan<char> fileName)
    {
        var dot = fileName.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var stem = fileName[..dot];
        while (stem.Length > 0)
        {
            var cut = stem.IndexOfAny('.', '-');
            var segment = cut < 0 ? stem : stem[..cut];
            if (IsHashSegment(segment))
            {
                return true;
            }

            stem = cut < 0 ? [] : stem[(cut + 1)..];
        }

        return false;
    }

    private static bool IsHashSegment(ReadOnlySpan<char> segment)
    {
        if (segment.Length < 8)
        {
            return false;
        }

        bool digit = false, hexLetter = false, upper = false, lower = false, allHex = true;
        foreach (var c in segment)
        {
            if (char.IsAsciiDigit(c))
            {
                digit = true;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                upper = true;
                hexLetter |= c <= 'F';
                allHex &= c <= 'F';
            }
            else if (char.IsAsciiLetterLower(c))
            {
                lower = true;
                hexLetter |= c <= 'f';
                allHex &= c <= 'f';
            }
            else if (c == '_')
            {
                allHex = false;
            }
            else
            {
                return false;
            }
        }

        if (allHex && digit && hexLetter && !(upper && lower))
        {
            return true;
        }

        return segment.Length <= 16 && digit && upper && lower;
    }
}
