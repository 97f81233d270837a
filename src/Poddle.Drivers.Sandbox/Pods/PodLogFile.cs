using System.Globalization;
using System.Text;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>
/// Reads a pod's log as the supervisor writes it: <c>log.1</c> (the rotated part, when there is one), then <c>log</c>;
/// one record per line, "<c>{unix µs} {o|e} {text}</c>". Only complete lines are returned: a line the supervisor is
/// still writing is kept back until its newline arrives.
/// </summary>
internal sealed class PodLogFile : IDisposable
{
    private readonly string _path;
    private readonly List<byte> _pending = [];
    private FileStream? _stream;

    public PodLogFile(string podDirectory, bool includeRotated)
    {
        _path = Path.Join(podDirectory, "log");
        var rotated = _path + ".1";
        if (includeRotated && File.Exists(rotated))
        {
            _stream = Open(rotated);
            ReadingRotated = true;
        }
        else
        {
            _stream = Open(_path);
        }
    }

    private bool ReadingRotated { get; set; }

    /// <summary>The complete lines written since the last call (all of them at the first call).</summary>
    public List<PodLogLine> ReadAvailable()
    {
        var lines = new List<PodLogLine>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            if (_stream is null)
            {
                _stream = Open(_path);
                if (_stream is null)
                {
                    return lines;
                }
            }

            int read;
            while ((read = _stream.Read(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        if (Parse(_pending) is { } line)
                        {
                            lines.Add(line);
                        }

                        _pending.Clear();
                    }
                    else
                    {
                        _pending.Add(buffer[i]);
                    }
                }
            }

            // At the end of this file. Move on when it is the rotated part, or when the supervisor rotated the file we
            // follow (it renames log to log.1 and writes a new, shorter log): what is left of ours was just read.
            var rotatedUnderUs = !ReadingRotated && new FileInfo(_path) is { Exists: true } current && current.Length < _stream.Position;
            if (!ReadingRotated && !rotatedUnderUs)
            {
                return lines;
            }

            ReadingRotated = false;
            _pending.Clear();
            _stream.Dispose();
            _stream = Open(_path);
            if (_stream is null)
            {
                return lines;
            }
        }
    }

    public void Dispose() => _stream?.Dispose();

    private static FileStream? Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static PodLogLine? Parse(List<byte> bytes)
    {
        var text = Encoding.UTF8.GetString([.. bytes]);
        var first = text.IndexOf(' ', StringComparison.Ordinal);
        if (first < 0 || text.Length < first + 3 || text[first + 2] != ' '
            || !long.TryParse(text.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out var micros))
        {
            return null;
        }

        var stream = text[first + 1] == 'e' ? "stderr" : "stdout";
        return new PodLogLine(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), stream, text[(first + 3)..]);
    }
}
