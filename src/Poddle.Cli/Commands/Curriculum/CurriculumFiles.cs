using System.Globalization;
using System.Text;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>The files the learning commands read and write (solutions, problem files), with messages that say what to do.</summary>
internal static class CurriculumFiles
{
    /// <summary>A path on the command line, from the working directory unless it is rooted.</summary>
    internal static string ResolvePath(CliEnvironment environment, FileInfo file) =>
        Path.IsPathRooted(file.ToString()) ? file.FullName : Path.GetFullPath(Path.Combine(environment.WorkingDirectory, file.ToString()));

    /// <summary>Reads a UTF-8 text file of at most <paramref name="maxBytes"/>, with a message that says what to do when it cannot.</summary>
    internal static async Task<string> ReadTextFileAsync(string path, long maxBytes, string what, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CliException(Directory.Exists(path)
                ? $"'{path}' is a directory; pass the {what} itself."
                : $"There is no file '{path}'. Check the path (relative paths start from the current directory).");
        }

        if (info.Length > maxBytes)
        {
            throw new CliException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{path}' is {info.Length} bytes; a {what} may be at most {maxBytes} bytes. Is it the right file?"));
        }

        try
        {
            return await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read '{path}': {ex.Message}");
        }
    }
}
