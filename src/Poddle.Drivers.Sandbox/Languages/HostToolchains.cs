namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>A language's toolchain on this host, before any sandbox check: where it is and the version it reports.</summary>
/// <param name="Language">Canonical language name.</param>
/// <param name="Command">The program's name (the found binary's, else the first candidate's).</param>
/// <param name="Path">The host binary, or null when none of the language's candidates exists.</param>
/// <param name="Version">The parsed version, or null when the version command failed or printed none.</param>
public sealed record HostToolchain(string Language, string Command, string? Path, string? Version);

/// <summary>
/// The first two steps of language discovery (find the binary, ask its version); the third, a hello world through the
/// sandbox, is <see cref="SandboxCodeExecutor"/>'s, whose <see cref="SandboxCodeExecutor.Languages"/> is the verdict
/// the server and <c>poddle doctor</c> both show.
/// </summary>
public static class HostToolchains
{
    internal static async Task<HostToolchain> ProbeAsync(Language language, CancellationToken cancellationToken)
    {
        var path = language.Candidates.FirstOrDefault(File.Exists);
        var version = path is null ? null : HostCommand.ParseVersion(await HostCommand.RunAsync(path, language.VersionArguments, cancellationToken));
        return new HostToolchain(language.Name, System.IO.Path.GetFileName(path ?? language.Candidates[0]), path, version);
    }

    /// <summary>The version a trusted host program reports (e.g. bwrap --version), or null.</summary>
    public static async Task<string?> VersionOfAsync(string path, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        HostCommand.ParseVersion(await HostCommand.RunAsync(path, arguments, cancellationToken));
}
