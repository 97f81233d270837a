namespace Poddle.Agent.Files;

/// <summary>
/// Writes a whole file so readers see the old content or the new, never half of it: write a temporary file in the same
/// directory, then rename it over the target (rename(2) is atomic within one file system).
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>, creating its directory when missing.</summary>
    /// <exception cref="IOException">The directory cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The path is not writable.</exception>
    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new IOException($"{path} has no directory.");
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is harmless and named so that it is recognisable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
