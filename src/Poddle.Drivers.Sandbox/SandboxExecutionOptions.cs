namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Server policy of <see cref="SandboxCodeExecutor"/> (configuration section "Sandbox:Execution"). A request chooses
/// only CPU time, wall time and memory (clamped to the maximums here); everything else is decided here.
/// </summary>
public sealed class SandboxExecutionOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Sandbox:Execution";

    /// <summary>The sandbox itself (bwrap, cgroups, uid, work root).</summary>
    public SandboxOptions Sandbox { get; set; } = new();

    /// <summary>Languages to offer (canonical names); all discovered ones when empty.</summary>
    public IList<string> Languages { get; } = [];

    /// <summary>Run a hello world of each discovered language through the sandbox at start; list only those that pass.</summary>
    public bool VerifyLanguages { get; set; } = true;

    public int RunCpuMs { get; set; } = 2_000;

    public int RunWallMs { get; set; } = 5_000;

    public int RunMemoryMb { get; set; } = 128;

    public int MaxRunCpuMs { get; set; } = 10_000;

    public int MaxRunWallMs { get; set; } = 20_000;

    public int MaxRunMemoryMb { get; set; } = 512;

    public int CompileCpuMs { get; set; } = 10_000;

    public int CompileWallMs { get; set; } = 20_000;

    public int CompileMemoryMb { get; set; } = 512;

    public int MaxCompileCpuMs { get; set; } = 30_000;

    public int MaxCompileWallMs { get; set; } = 60_000;

    public int MaxCompileMemoryMb { get; set; } = 1_024;

    /// <summary>CPU bandwidth of a run, in cores (a CFS quota).</summary>
    public double RunCpuCores { get; set; } = 0.5;

    /// <summary>CPU bandwidth of a compile step, in cores.</summary>
    public double CompileCpuCores { get; set; } = 1.0;

    /// <summary>
    /// Processes and threads at once in a compile or run step (a fork bomb stops here). A language whose runtime needs
    /// more raises it for itself (Java and C#: 128, see their entries in the language catalog).
    /// </summary>
    public int Pids { get; set; } = 50;

    /// <summary>Bytes kept per stream (stdout, stderr) of a step the client sees.</summary>
    public int OutputBytes { get; set; } = 64 * 1024;

    /// <summary>Largest compiled artifact (the compile step's stdout) and largest file the compiler may write.</summary>
    public int ArtifactBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>RLIMIT_FSIZE of a run.</summary>
    public long FileSizeBytes { get; set; } = 16L * 1024 * 1024;

    public int OpenFiles { get; set; } = 64;

    /// <summary>Size of /tmp (and /dev/shm) of a run.</summary>
    public int TmpfsMb { get; set; } = 50;

    /// <summary>Size of /tmp of a compile step (object files and the artifact live there).</summary>
    public int CompileTmpfsMb { get; set; } = 256;

    public WarmPoolOptions WarmPool { get; set; } = new();

    /// <summary>Every problem with these settings, for an options validator; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Positive(string name, long value)
        {
            if (value <= 0)
            {
                problems.Add($"{name} must be positive");
            }
        }

        void AtMost(string name, long value, string maxName, long max)
        {
            if (value > max)
            {
                problems.Add($"{name} ({value}) must not exceed {maxName} ({max})");
            }
        }

        Positive(nameof(RunCpuMs), RunCpuMs);
        Positive(nameof(RunWallMs), RunWallMs);
        Positive(nameof(CompileCpuMs), CompileCpuMs);
        Positive(nameof(CompileWallMs), CompileWallMs);
        Positive(nameof(OutputBytes), OutputBytes);
        Positive(nameof(ArtifactBytes), ArtifactBytes);
        Positive(nameof(FileSizeBytes), FileSizeBytes);
        Positive(nameof(Pids), Pids);
        Positive(nameof(TmpfsMb), TmpfsMb);
        Positive(nameof(CompileTmpfsMb), CompileTmpfsMb);
        AtMost(nameof(RunCpuMs), RunCpuMs, nameof(MaxRunCpuMs), MaxRunCpuMs);
        AtMost(nameof(RunWallMs), RunWallMs, nameof(MaxRunWallMs), MaxRunWallMs);
        AtMost(nameof(RunMemoryMb), RunMemoryMb, nameof(MaxRunMemoryMb), MaxRunMemoryMb);
        AtMost(nameof(CompileCpuMs), CompileCpuMs, nameof(MaxCompileCpuMs), MaxCompileCpuMs);
        AtMost(nameof(CompileWallMs), CompileWallMs, nameof(MaxCompileWallMs), MaxCompileWallMs);
        AtMost(nameof(CompileMemoryMb), CompileMemoryMb, nameof(MaxCompileMemoryMb), MaxCompileMemoryMb);
        if (RunMemoryMb < 8 || CompileMemoryMb < 8)
        {
            problems.Add($"{nameof(RunMemoryMb)} and {nameof(CompileMemoryMb)} must be at least 8");
        }

        if (RunCpuCores is <= 0 or > 64 || CompileCpuCores is <= 0 or > 64)
        {
            problems.Add($"{nameof(RunCpuCores)} and {nameof(CompileCpuCores)} must be in (0, 64]");
        }

        if (OpenFiles < 8)
        {
            problems.Add($"{nameof(OpenFiles)} must be at least 8");
        }

        problems.AddRange(WarmPool.Validate());
        return problems;
    }
}

/// <summary>The warm pool (configuration section "Sandbox:Execution:WarmPool").</summary>
public sealed class WarmPoolOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Languages that get a pool (canonical names); every offered language when empty.</summary>
    public IList<string> Languages { get; } = [];

    /// <summary>The size each pool starts at, and never shrinks below.</summary>
    public int MinPerLanguage { get; set; } = 1;

    /// <summary>The size a pool may grow to under demand.</summary>
    public int MaxPerLanguage { get; set; } = 8;

    /// <summary>Sandboxes being prepared at once, over all languages (keeps refills from starving runs).</summary>
    public int MaxConcurrentPreparations { get; set; } = 1;

    /// <summary>A prepared sandbox older than this is recycled.</summary>
    public TimeSpan MaxIdle { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A pool without any request for this long shrinks by one (down to <see cref="MinPerLanguage"/>).</summary>
    public TimeSpan ShrinkAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a stub may take to get ready (interpreter start-up) before it is given up.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (MinPerLanguage < 0) yield return $"WarmPool.{nameof(MinPerLanguage)} must not be negative";
        if (MaxPerLanguage < MinPerLanguage) yield return $"WarmPool.{nameof(MaxPerLanguage)} must be at least {nameof(MinPerLanguage)}";
        if (MaxConcurrentPreparations < 1) yield return $"WarmPool.{nameof(MaxConcurrentPreparations)} must be at least 1";
        if (MaxIdle <= TimeSpan.Zero) yield return $"WarmPool.{nameof(MaxIdle)} must be positive";
        if (ShrinkAfter <= TimeSpan.Zero) yield return $"WarmPool.{nameof(ShrinkAfter)} must be positive";
        if (ReadyTimeout <= TimeSpan.Zero) yield return $"WarmPool.{nameof(ReadyTimeout)} must be positive";
    }
}
