using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Docker.DotNet;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>
/// Turns the engine's multiplexed log stream (a non-TTY container: 8-byte frame headers, stdout and stderr
/// interleaved, every line prefixed by its RFC 3339 timestamp) into <see cref="PodLogLine"/>s. A frame may carry part of
/// a line or several lines, so each stream has its own byte buffer, cut at newlines and decoded per whole line (a
/// UTF-8 character split across frames stays whole). A line longer than the cap is cut and the rest dropped.
/// </summary>
internal sealed class DockerLogReader(MultiplexedStream stream, int maxLineChars)
{
    private readonly LineBuffer _stdout = new("stdout", maxLineChars);
    private readonly LineBuffer _stderr = new("stderr", maxLineChars);

    public async IAsyncEnumerable<PodLogLine> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var lines = new List<PodLogLine>();
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF)
            {
                break;
            }

            var target = read.Target == MultiplexedStream.TargetStream.StandardError ? _stderr : _stdout;
            target.Append(buffer.AsSpan(0, read.Count), lines);
            foreach (var line in lines)
            {
                yield return line;
            }

            lines.Clear();
        }

        // A last line without its newline (the app exited mid-line).
        foreach (var buffered in new[] { _stdout, _stderr })
        {
            if (buffered.Flush() is { } line)
            {
                yield return line;
            }
        }
    }

    /// <summary>Parses "2026-11-23T16:54:18.893452529Z text" into a line; text is everything after the first space.</summary>
    internal static PodLogLine ParseLine(string streamName, string raw, int maxLineChars)
    {
        var space = raw.IndexOf(' ', StringComparison.Ordinal);
        var timestamp = DateTimeOffset.UtcNow;
        var text = raw;
        if (space > 0 && TryParseTimestamp(raw.AsSpan(0, space), out var parsed))
        {
            timestamp = parsed;
            text = raw[(space + 1)..];
        }

        if (text.EndsWith('\r'))
        {
            text = text[..^1];
        }

        return new PodLogLine(timestamp, streamName, text.Length > maxLineChars ? text[..maxLineChars] : text);
    }

    /// <summary>
    /// Parses the engine's RFC 3339 time with nanoseconds, truncated to .NET's 100 ns ticks. DateTimeOffset.Parse
    /// rounds the extra digits, which can put a line's time after the engine's own: then asking the engine for lines
    /// since that time leaves the line out.
    /// </summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<char> value, out DateTimeOffset time)
    {
        var dot = value.IndexOf('.');
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                Span<char> cut = stackalloc char[value.Length];
                value[..(dot + 8)].CopyTo(cut);
                value[end..].CopyTo(cut[(dot + 8)..]);
                return DateTimeOffset.TryParse(cut[..(dot + 8 + value.Length - end)], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
            }
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    private sealed class LineBuffer(string name, int maxLineChars)
    {
        // Room for the timestamp prefix and a cut line in UTF-8 (up to 4 bytes a character).
        private readonly int _maxBytes = 64 + (maxLineChars * 4);
        private readonly List<byte> _pending = [];
        private bool _overflowed;

        public void Append(ReadOnlySpan<byte> data, List<PodLogLine> lines)
        {
            while (data.Length > 0)
            {
                var newline = data.IndexOf((byte)'\n');
                var chunk = newline < 0 ? data : data[..newline];
                var room = _maxBytes - _pending.Count;
                if (chunk.Length > room)
                {
                    _overflowed = true;
                    chunk = chunk[..Math.Max(room, 0)];
                }

                _pending.AddRange(chunk);
                if (newline < 0)
                {
                    return;
                }

                lines.Add(Take());
                data = data[(newline + 1)..];
            }
        }

        public PodLogLine? Flush() => _pending.Count > 0 || _overflowed ? Take() : null;

        private PodLogLine Take()
        {
            var raw = Encoding.UTF8.GetString([.. _pending]);
            _pending.Clear();
            _overflowed = false;
            return ParseLine(name, raw, maxLineChars);
        }
    }
}
