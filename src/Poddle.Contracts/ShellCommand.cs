namespace Poddle.Contracts;

/// <summary>
/// A command given as one string (`"python3 app.py"`, as Render's and Fly's users type it) runs as
/// <c>/bin/sh -c "…"</c>: the shell splits words, expands <c>$PORT</c> and runs pipes. An array runs as given, with no
/// shell. The API (JSON string or array), poddle.toml and `poddle deploy --command` all accept both forms.
/// </summary>
public static class ShellCommand
{
    /// <summary>The shell a string command runs in; an image needs one at this path to run a string command.</summary>
    public const string Shell = "/bin/sh";

    /// <summary>The argv that runs <paramref name="commandLine"/> in the shell; empty (invalid) when it is blank.</summary>
    public static IReadOnlyList<string> Of(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return string.IsNullOrWhiteSpace(commandLine) ? [] : [Shell, "-c", commandLine];
    }
}
