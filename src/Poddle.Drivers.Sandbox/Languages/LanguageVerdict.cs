namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>
/// Whether this host offers a language, and why not: the one verdict the server and <c>poddle doctor</c> both show
/// (<see cref="SandboxCodeExecutor.Languages"/>), reached by the same steps: find the toolchain, ask its version, run a
/// hello world through the sandbox.
/// </summary>
/// <param name="Language">Canonical language name.</param>
/// <param name="Command">The toolchain program's name (the found binary's, else the first candidate's).</param>
/// <param name="Path">The host binary, or null when none of the language's candidates exists.</param>
/// <param name="Version">The version it reports, or null.</param>
/// <param name="Offered">True when code in this language can be run here.</param>
/// <param name="Reason">Why it is not offered, or null.</param>
public sealed record LanguageVerdict(string Language, string Command, string? Path, string? Version, bool Offered, string? Reason);
