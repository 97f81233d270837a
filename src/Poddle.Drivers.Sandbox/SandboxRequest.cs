namespace Poddle.Drivers.Sandbox;

/// <summary>One run of untrusted code: the command, the files it needs, its stdin and its limits.</summary>
/// <param name="Command">argv inside the sandbox; the first element is looked up on the sandbox's PATH.</param>
/// <param name="Files">Written by the host into a fresh run directory, mounted read-only at <see cref="SandboxRunner.WorkingDirectory"/>.</param>
/// <param name="Stdin">Bytes given on standard input, then end of file.</param>
/// <param name="Limits">Resource limits; <see cref="SandboxLimits.Default"/> when null.</param>
/// <param name="ReadOnlyBinds">Extra host paths the language needs (a toolchain outside /usr), mounted read-only.</param>
/// <param name="Step">A failing <see cref="SandboxStep.Compile"/> step is a compile_error rather than a runtime_error.</param>
public sealed record SandboxRequest(
    IReadOnlyList<string> Command,
    IReadOnlyList<SandboxFile>? Files = null,
    ReadOnlyMemory<byte> Stdin = default,
    SandboxLimits? Limits = null,
    IReadOnlyList<SandboxBindMount>? ReadOnlyBinds = null,
    SandboxStep Step = SandboxStep.Run);

/// <summary>A file placed in the run directory. <paramref name="RelativePath"/> uses '/' and may name subdirectories.</summary>
public sealed record SandboxFile(string RelativePath, ReadOnlyMemory<byte> Content, bool Executable = false);

/// <summary>A host path mounted read-only at <paramref name="Target"/> inside the sandbox (the same path when null).</summary>
public sealed record SandboxBindMount(string Source, string? Target = null);

public enum SandboxStep
{
    Run,
    Compile,
}

/// <summary>Limits of one run. CPU time is counted over every process of the run (from the cgroup).</summary>
public sealed record SandboxLimits
{
    public static SandboxLimits Default { get; } = new();

    /// <summary>CPU time over all processes of the run; beyond it the run is killed (time_limit_exceeded).</summary>
    public int CpuMs { get; init; } = 2_000;

    /// <summary>Wall-clock time from start to exit; beyond it the run is killed (time_limit_exceeded).</summary>
    public int WallMs { get; init; } = 5_000;

    /// <summary>Memory (RAM, tmpfs pages included) with swap off; beyond it the kernel OOM-kills (memory_limit_exceeded).</summary>
    public int MemoryMb { get; init; } = 128;

    /// <summary>CPU bandwidth as a fraction of one core (a CFS quota).</summary>
    public double CpuCores { get; init; } = 0.5;

    /// <summary>Processes and threads at once.</summary>
    public int Pids { get; init; } = 50;

    /// <summary>Bytes kept per stream (stdout, stderr); beyond it the run is killed (output_limit_exceeded).</summary>
    public int OutputBytes { get; init; } = 64 * 1024;

    /// <summary>RLIMIT_FSIZE: the largest file a process may write.</summary>
    public long FileSizeBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>RLIMIT_NOFILE.</summary>
    public int OpenFiles { get; init; } = 64;

    /// <summary>Size of each of the fresh tmpfs mounts /tmp and /dev/shm.</summary>
    public int TmpfsMb { get; init; } = 50;

    internal IEnumerable<string> Validate()
    {
        if (CpuMs <= 0) yield return $"{nameof(CpuMs)} must be positive";
        if (WallMs <= 0) yield return $"{nameof(WallMs)} must be positive";
        if (MemoryMb < 8) yield return $"{nameof(MemoryMb)} must be at least 8";
        if (CpuCores is <= 0 or > 64) yield return $"{nameof(CpuCores)} must be in (0, 64]";
        if (Pids < 1) yield return $"{nameof(Pids)} must be at least 1";
        if (OutputBytes < 0) yield return $"{nameof(OutputBytes)} must not be negative";
        if (FileSizeBytes < 0) yield return $"{nameof(FileSizeBytes)} must not be negative";
        if (OpenFiles < 8) yield return $"{nameof(OpenFiles)} must be at least 8";
        if (TmpfsMb < 1) yield return $"{nameof(TmpfsMb)} must be at least 1";
    }
}
