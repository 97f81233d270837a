using System.Buffers;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Reads one output pipe to its end, keeping at most <c>cap</c> bytes. Past the cap it keeps reading and discarding, so
/// the writer never blocks on a full pipe, and tells the runner once (which kills the run).
/// </summary>
internal sealed class CappedOutput(int cap)
{
    private readonly ArrayBufferWriter<byte> _kept = new();

    public bool Truncated { get; private set; }

    public byte[] ToArray() => _kept.WrittenSpan.ToArray();

    public async Task ReadToEndAsync(Stream stream, Action onExceeded)
    {
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk)) > 0)
            {
                var keep = (int)Math.Min(read, cap - _kept.WrittenCount);
                if (keep > 0)
                {
                    _kept.Write(chunk.AsSpan(0, keep));
                }

                if (keep < read && !Truncated)
                {
                    Truncated = true;
                    onExceeded();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The runner closed the pipe after giving up on a writer; what was read is kept.
        }
    }
}
