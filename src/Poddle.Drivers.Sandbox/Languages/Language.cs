namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>
/// How one language is compiled and run inside the sandbox. Commands are argv inside the sandbox: the request's files
/// are in /box (read-only, the working directory), /tmp is the run's own tmpfs. A compile step writes its artifact (a
/// binary, or a tar of class files) to stdout and the compiler's messages to stderr; the host passes the bytes to the
/// run step as the plain file <see cref="ArtifactFile"/>.
/// </summary>
internal abstract class Language
{
    /// <summary>The compiled program or archive, written by the host into the run step's directory.</summary>
    public const string ArtifactFile = ".poddle-artifact";

    /// <summary>The script a generic prepared sandbox execs at hand-out (written by the host, never user-named).</summary>
    public const string RunScriptFile = ".poddle-run";

    /// <summary>File names that start with this are the host's; a request may not use them.</summary>
    public const string ReservedPrefix = ".poddle";

    public abstract string Name { get; }

    public abstract IReadOnlyList<string> Aliases { get; }

    public abstract string MainFile { get; }

    /// <summary>Host paths tried in order for the toolchain (the compiler, or the interpreter).</summary>
    public abstract IReadOnlyList<string> Candidates { get; }

    public virtual IReadOnlyList<string> VersionArguments => ["--version"];

    /// <summary>A program that prints exactly "hello\n", run once at start to verify the language works in the sandbox.</summary>
    public abstract string HelloWorld { get; }

    public virtual bool Compiled => false;

    /// <summary>
    /// Processes and threads this language's compile and run steps need at least, when that is more than the run
    /// default (<see cref="SandboxExecutionOptions.Pids"/>, 50); null when the default is enough.
    /// </summary>
    public virtual int? Pids => null;

    /// <summary>Whether the artifact is a binary the run step executes (mode 0755), rather than an archive.</summary>
    public virtual bool ArtifactExecutable => true;

    /// <summary>Resolves where the toolchain is seen inside the sandbox and what must be bound for it (trusted host work).</summary>
    public virtual Task<Toolchain> LocateAsync(string hostPath, CancellationToken cancellationToken) =>
        Task.FromResult(new Toolchain(hostPath, hostPath, []));

    /// <summary>The compile step (compiled languages only): sources are the request's file names.</summary>
    public virtual IReadOnlyList<string> CompileCommand(Toolchain toolchain, string entry, IReadOnlyList<string> files) =>
        throw new NotSupportedException($"{Name} is not compiled");

    /// <summary>The run step: interpreted languages run <paramref name="entry"/>, compiled ones the artifact.</summary>
    public abstract IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits);

    /// <summary>
    /// The stub of a warm sandbox that starts the interpreter ahead (writes the ready byte, waits for
    /// <see cref="PythonBootstrap.GoLine"/>), or null for the generic stub that execs the run script at hand-out.
    /// </summary>
    public virtual IReadOnlyList<string>? InterpreterStub(Toolchain toolchain) => null;

    /// <summary>Checks the request's entry file name beyond the generic rules (Java: a class name).</summary>
    public virtual string? ValidateEntry(string entry) => null;

    /// <summary>Quotes one word for /bin/sh (single quotes; a quote inside becomes '\'').</summary>
    public static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    protected static IEnumerable<string> WithExtension(IReadOnlyList<string> files, params string[] extensions) =>
        files.Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.Ordinal)));
}

/// <summary>
/// A discovered toolchain: <paramref name="HostPath"/> on the host, <paramref name="SandboxPath"/> the same program as
/// the sandbox sees it, and the read-only binds that make it visible there.
/// </summary>
internal sealed record Toolchain(string HostPath, string SandboxPath, IReadOnlyList<SandboxBindMount> Binds)
{
    /// <summary>Paths and values a language found at discovery (C#: the compiler, the reference assemblies, their version).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
}
