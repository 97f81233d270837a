namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>
/// C# with the Roslyn compiler of the newest .NET SDK (<c>dotnet csc.dll</c>, no MSBuild, no NuGet): the compile step
/// references the newest Microsoft.NETCore.App reference pack and streams the assembly; the run step writes a
/// runtimeconfig into its /tmp and runs it with <c>dotnet exec</c>. Top-level statements work; packages do not.
/// </summary>
internal sealed class CSharp : Language
{
    public override string Name => "csharp";

    public override IReadOnlyList<string> Aliases => ["cs", "c#"];

    public override string MainFile => "main.cs";

    public override IReadOnlyList<string> Candidates => ["/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/local/share/dotnet/dotnet"];

    public override string HelloWorld => "System.Console.WriteLine(\"hello\");\n";

    public override bool Compiled => true;

    public override bool ArtifactExecutable => false;

    /// <summary>
    /// The runtime's own threads (7 for a hello world) plus its thread pool, which grows up to one thread per host CPU
    /// before it waits (Roslyn compiles in parallel on it; so does a program's Parallel.For); the sandbox cannot lower
    /// the count the runtime sees, since /sys/fs/cgroup is not mounted inside. docs/sandbox.md, "Languages".
    /// </summary>
    public override int? Pids => 128;

    public override Task<Toolchain> LocateAsync(string hostPath, CancellationToken cancellationToken)
    {
        var root = Path.GetDirectoryName(hostPath)!;
        var compiler = Newest(Path.Join(root, "sdk"))
            is { } sdk && File.Exists(Path.Join(sdk, "Roslyn", "bincore", "csc.dll")) ? Path.Join(sdk, "Roslyn", "bincore", "csc.dll") : null;
        var pack = Newest(Path.Join(root, "packs", "Microsoft.NETCore.App.Ref"));
        var references = pack is null ? null : Directory.Exists(Path.Join(pack, "ref")) ? Directory.GetDirectories(Path.Join(pack, "ref")).Order(StringComparer.Ordinal).LastOrDefault() : null;
        if (compiler is null || references is null)
        {
            // Not usable: the verification run fails on the missing compiler and the language is not listed.
            return Task.FromResult(new Toolchain(hostPath, hostPath, []) { Extra = ["/nonexistent/csc.dll", "/nonexistent", "0.0.0"] });
        }

        var binds = root.StartsWith("/usr/", StringComparison.Ordinal) ? Array.Empty<SandboxBindMount>() : [new SandboxBindMount(root)];
        return Task.FromResult(new Toolchain(hostPath, hostPath, binds) { Extra = [compiler, references, Path.GetFileName(pack!)] });
    }

    public override IReadOnlyList<string> CompileCommand(Toolchain toolchain, string entry, IReadOnlyList<string> files) =>
    [
        "/bin/sh", "-c",
        $"for r in {ShellQuote(toolchain.Extra[1])}/*.dll; do set -- \"$@\" \"-r:$r\"; done; " +
        $"{ShellQuote(toolchain.SandboxPath)} {ShellQuote(toolchain.Extra[0])} -nologo -nostdlib -optimize+ -langversion:latest -out:/tmp/.poddle-out.dll \"$@\" 1>&2 && cat /tmp/.poddle-out.dll",
        "compile", .. WithExtension(files, ".cs"),
    ];

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits)
    {
        var version = toolchain.Extra[2];
        var framework = string.Join('.', version.Split('.').Take(2)) + ".0";
        var config = $"{{\"runtimeOptions\":{{\"tfm\":\"net{string.Join('.', version.Split('.').Take(2))}\",\"framework\":{{\"name\":\"Microsoft.NETCore.App\",\"version\":\"{framework}\"}}}}}}";
        return
        [
            "/bin/sh", "-c",
            $"cp {SandboxRunner.WorkingDirectory}/{ArtifactFile} /tmp/.poddle-main.dll && printf '%s' {ShellQuote(config)} > /tmp/.poddle-main.runtimeconfig.json && " +
            $"exec {ShellQuote(toolchain.SandboxPath)} exec /tmp/.poddle-main.dll \"$@\"",
            "dotnet", .. args,
        ];
    }

    private static string? Newest(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory).Where(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out _))
                .OrderBy(d => Version.Parse(Path.GetFileName(d).Split('-')[0])).LastOrDefault()
            : null;
}
