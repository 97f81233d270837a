namespace Poddle.Agent.Tests.Fixtures;

/// <summary>The real H100 captures in Fixtures/gpu (copied to the output directory), and fake nvidia-smi scripts printing them.</summary>
public static class GpuFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpu");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static string Read(string name) => File.ReadAllText(PathOf(name));

    /// <summary>
    /// An executable shell script standing in for nvidia-smi: prints <paramref name="fixture"/> for --query-gpu and
    /// exits with <paramref name="exitCode"/>; it writes its arguments to args.txt beside itself.
    /// </summary>
    public static string FakeNvidiaSmi(string directory, string? fixture = "query-gpu.csv", int exitCode = 0, string? stderr = null, bool hang = false)
    {
        var script = Path.Combine(directory, "nvidia-smi");
        var body = "#!/bin/sh\n"
            + $"echo \"$@\" > '{Path.Combine(directory, "args.txt")}'\n"
            + (hang ? "sleep 30\n" : string.Empty)
            + (fixture is null ? string.Empty : $"cat '{PathOf(fixture)}'\n")
            + (stderr is null ? string.Empty : $"cat >&2 <<'END'\n{stderr}\nEND\n")
            + $"exit {exitCode}\n";
        File.WriteAllText(script, body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return script;
    }
}
