using System.Globalization;

namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>Every language the sandbox knows; discovery keeps those whose toolchain is on the host and works.</summary>
internal static class Catalog
{
    public static IReadOnlyList<Language> All { get; } =
        [new Python(), new C(), new Cpp(), new JavaScript(), new Java(), new CSharp(), new Rust(), new Bash()];
}

/// <summary>Python 3: run unbuffered; the warm pool starts the interpreter ahead (<see cref="PythonBootstrap"/>).</summary>
internal sealed class Python : Language
{
    public override string Name => "python";

    public override IReadOnlyList<string> Aliases => ["py", "python3"];

    public override string MainFile => "main.py";

    public override IReadOnlyList<string> Candidates => ["/usr/local/bin/python3", "/usr/bin/python3"];

    public override string HelloWorld => "print('hello')\n";

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits) =>
        [toolchain.SandboxPath, "-u", entry, .. args];

    public override IReadOnlyList<string>? InterpreterStub(Toolchain toolchain) => [toolchain.SandboxPath, "-u", "-c", PythonBootstrap.Code];
}

/// <summary>C with gcc: the compile step streams the binary to stdout.</summary>
internal class C : Language
{
    public override string Name => "c";

    public override IReadOnlyList<string> Aliases => ["gcc"];

    public override string MainFile => "main.c";

    public override IReadOnlyList<string> Candidates => ["/usr/bin/gcc"];

    public override IReadOnlyList<string> VersionArguments => ["-dumpfullversion"];

    public override string HelloWorld => "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";

    public override bool Compiled => true;

    protected virtual string[] Flags => ["-std=gnu17", "-O2", "-pipe"];

    protected virtual string[] Sources => [".c"];

    protected virtual string[] Libraries => ["-lm"];

    public override IReadOnlyList<string> CompileCommand(Toolchain toolchain, string entry, IReadOnlyList<string> files) =>
    [
        "/bin/sh", "-c", $"{ShellQuote(toolchain.SandboxPath)} {string.Join(' ', Flags)} -o /tmp/.poddle-out \"$@\" {string.Join(' ', Libraries)} 1>&2 && cat /tmp/.poddle-out",
        "compile", .. WithExtension(files, Sources),
    ];

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits) =>
        [SandboxRunner.WorkingDirectory + "/" + ArtifactFile, .. args];
}

/// <summary>C++ with g++.</summary>
internal sealed class Cpp : C
{
    public override string Name => "cpp";

    public override IReadOnlyList<string> Aliases => ["c++", "g++"];

    public override string MainFile => "main.cpp";

    public override IReadOnlyList<string> Candidates => ["/usr/bin/g++"];

    public override string HelloWorld => "#include <iostream>\nint main() { std::cout << \"hello\" << std::endl; }\n";

    protected override string[] Flags => ["-std=gnu++17", "-O2", "-pipe"];

    protected override string[] Sources => [".cpp", ".cc", ".cxx"];
}

/// <summary>JavaScript with node; the warm pool starts node ahead (<see cref="NodeBootstrap"/>).</summary>
internal sealed class JavaScript : Language
{
    public override string Name => "javascript";

    public override IReadOnlyList<string> Aliases => ["js", "node", "nodejs"];

    public override string MainFile => "main.js";

    public override IReadOnlyList<string> Candidates => ["/usr/local/bin/node", "/usr/bin/node", "/usr/bin/nodejs"];

    public override string HelloWorld => "console.log('hello');\n";

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits) =>
        [toolchain.SandboxPath, entry, .. args];

    public override IReadOnlyList<string>? InterpreterStub(Toolchain toolchain) => [toolchain.SandboxPath, "-e", NodeBootstrap.Code];
}

/// <summary>Bash.</summary>
internal sealed class Bash : Language
{
    public override string Name => "bash";

    public override IReadOnlyList<string> Aliases => ["sh"];

    public override string MainFile => "main.sh";

    public override IReadOnlyList<string> Candidates => ["/usr/bin/bash", "/bin/bash"];

    public override string HelloWorld => "echo hello\n";

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits) =>
        [toolchain.SandboxPath, entry, .. args];
}

/// <summary>
/// Java: javac compiles into the compile sandbox's /tmp and streams a tar of the class files; the run step unpacks it
/// into its own /tmp. Both JVMs get flags that fit a small cgroup: serial GC, C1 only, heap at half the memory limit.
/// </summary>
internal sealed class Java : Language
{
    private static readonly string[] JvmFlags =
        ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xshare:auto", "-XX:-UsePerfData", "-Xss8m", "-XX:ReservedCodeCacheSize=32m"];

    public override string Name => "java";

    public override IReadOnlyList<string> Aliases => [];

    public override string MainFile => "Main.java";

    public override IReadOnlyList<string> Candidates => ["/usr/bin/javac"];

    public override IReadOnlyList<string> VersionArguments => ["-version"];

    public override string HelloWorld => "public class Main { public static void main(String[] args) { System.out.println(\"hello\"); } }\n";

    public override bool Compiled => true;

    public override bool ArtifactExecutable => false;

    /// <summary>
    /// The JVM's own threads (13 for a hello world with the flags below; javac needs 13 to 16) plus the program's, whose
    /// pools (the common fork/join pool of parallel streams) are sized from the host's CPU count: the sandbox cannot
    /// lower it, since /sys/fs/cgroup is not mounted inside. docs/sandbox.md, "Languages".
    /// </summary>
    public override int? Pids => 128;

    public override Task<Toolchain> LocateAsync(string hostPath, CancellationToken cancellationToken)
    {
        // Debian's JDK keeps its configuration in /etc/java-N-openjdk (symlinked from the JDK's conf and lib/security).
        var binds = Directory.Exists("/etc")
            ? Directory.GetDirectories("/etc", "java-*").Order(StringComparer.Ordinal).Select(d => new SandboxBindMount(d)).ToArray()
            : [];
        return Task.FromResult(new Toolchain(hostPath, hostPath, binds));
    }

    public override IReadOnlyList<string> CompileCommand(Toolchain toolchain, string entry, IReadOnlyList<string> files) =>
    [
        "/bin/sh", "-c",
        $"mkdir /tmp/.poddle-classes && {ShellQuote(toolchain.SandboxPath)} -J-Xmx256m {string.Join(' ', JvmFlags.Select(f => "-J" + f))} -encoding UTF-8 -d /tmp/.poddle-classes \"$@\" 1>&2 && cd /tmp/.poddle-classes && tar cf - .",
        "compile", .. WithExtension(files, ".java"),
    ];

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits)
    {
        var java = Path.Join(Path.GetDirectoryName(toolchain.SandboxPath), "java");
        var heap = Math.Max(16, limits.MemoryMb / 2).ToString(CultureInfo.InvariantCulture);
        var mainClass = Path.GetFileNameWithoutExtension(entry);
        return
        [
            "/bin/sh", "-c",
            $"mkdir /tmp/.poddle-classes && tar xf {SandboxRunner.WorkingDirectory}/{ArtifactFile} -C /tmp/.poddle-classes && exec {ShellQuote(java)} -Xmx{heap}m {string.Join(' ', JvmFlags)} -cp /tmp/.poddle-classes {ShellQuote(mainClass)} \"$@\"",
            "java", .. args,
        ];
    }

    public override string? ValidateEntry(string entry) =>
        entry.EndsWith(".java", StringComparison.Ordinal) && !entry.Contains('/', StringComparison.Ordinal)
            && Path.GetFileNameWithoutExtension(entry) is { Length: > 0 } name && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$')
            ? null
            : $"the Java entry file must be a top-level ClassName.java (got '{entry}')";
}

/// <summary>
/// Rust with rustc. A rustup toolchain lives outside /usr: its sysroot (from <c>rustc --print sysroot</c>) is bound
/// read-only at /opt/poddle/rust. The sandbox's uid must be able to reach it: under a 0700 /root it cannot, the
/// verification run fails and the language is not listed (see docs/sandbox.md).
/// </summary>
internal sealed class Rust : Language
{
    private const string SandboxSysroot = "/opt/poddle/rust";

    public override string Name => "rust";

    public override IReadOnlyList<string> Aliases => ["rs"];

    public override string MainFile => "main.rs";

    public override IReadOnlyList<string> Candidates =>
        ["/usr/local/bin/rustc", "/usr/bin/rustc", "/usr/local/cargo/bin/rustc", "/root/.cargo/bin/rustc"];

    public override string HelloWorld => "fn main() { println!(\"hello\"); }\n";

    public override bool Compiled => true;

    public override async Task<Toolchain> LocateAsync(string hostPath, CancellationToken cancellationToken)
    {
        var sysroot = (await HostCommand.RunAsync(hostPath, ["--print", "sysroot"], cancellationToken))?.Trim();
        if (string.IsNullOrEmpty(sysroot) || !Path.IsPathRooted(sysroot) || sysroot.StartsWith("/usr/", StringComparison.Ordinal))
        {
            return new Toolchain(hostPath, hostPath, []);
        }

        return new Toolchain(hostPath, SandboxSysroot + "/bin/rustc", [new SandboxBindMount(sysroot, SandboxSysroot)]);
    }

    public override IReadOnlyList<string> CompileCommand(Toolchain toolchain, string entry, IReadOnlyList<string> files) =>
    [
        "/bin/sh", "-c", $"{ShellQuote(toolchain.SandboxPath)} -O -C linker=cc -o /tmp/.poddle-out \"$1\" 1>&2 && cat /tmp/.poddle-out",
        "compile", entry,
    ];

    public override IReadOnlyList<string> RunCommand(Toolchain toolchain, string entry, IReadOnlyList<string> args, SandboxLimits limits) =>
        [SandboxRunner.WorkingDirectory + "/" + ArtifactFile, .. args];
}
