using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox.Languages;
using Poddle.Drivers.Sandbox.WarmPool;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// <see cref="ICodeExecutor"/> on the bubblewrap sandbox: discovers the languages of this host at start (and verifies
/// each with a hello world through the sandbox), compiles in one sandbox and runs in another, and keeps a warm pool of
/// prepared sandboxes per language. Construct it, then <see cref="InitializeAsync"/> (or use <see cref="StartAsync"/>);
/// dispose it at shutdown to kill the pool.
/// </summary>
public sealed partial class SandboxCodeExecutor : ICodeExecutor, IAsyncDisposable, IDisposable
{
    private const string GenericStub = "printf R; read -r _ || exit 0; exec /bin/sh " + SandboxRunner.WorkingDirectory + "/" + Language.RunScriptFile;

    private readonly SandboxExecutionOptions _options;
    private readonly SandboxRunner _runner;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private Dictionary<string, DiscoveredLanguage> _byName = new(StringComparer.Ordinal);
    private IReadOnlyList<LanguageRuntime> _runtimes = [];
    private IReadOnlyList<LanguageVerdict> _languages = [];
    private readonly Lock _lifetime = new();
    private WarmPoolManager? _pool;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _initialized;
    private bool _disposed;

    /// <summary>Creates the executor without languages; <see cref="InitializeAsync"/> discovers them and starts the pool.</summary>
    /// <exception cref="ArgumentException">The options are not valid (<see cref="SandboxExecutionOptions.Validate"/>).</exception>
    public SandboxCodeExecutor(SandboxExecutionOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid sandbox execution options: " + string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<SandboxCodeExecutor>();
        _time = timeProvider ?? TimeProvider.System;
        _runner = new SandboxRunner(options.Sandbox, _loggerFactory.CreateLogger<SandboxRunner>());
        var isolation = _runner.Isolation;
        Health = new ExecutorHealth(
            isolation.Level switch
            {
                IsolationLevel.Full => IsolationStatus.Full,
                IsolationLevel.Reduced => IsolationStatus.Reduced,
                _ => IsolationStatus.Unavailable,
            },
            isolation.ToString());
    }

    /// <inheritdoc />
    public IReadOnlyList<LanguageRuntime> Runtimes => Volatile.Read(ref _runtimes);

    /// <inheritdoc />
    public ExecutorHealth Health { get; }

    /// <summary>
    /// Every language the sandbox knows, offered or not and why, as <see cref="InitializeAsync"/> decided (empty before).
    /// <c>poddle doctor</c> shows this same verdict.
    /// </summary>
    public IReadOnlyList<LanguageVerdict> Languages => Volatile.Read(ref _languages);

    /// <inheritdoc />
    /// <remarks>Completes when <see cref="InitializeAsync"/> has discovered the languages (or found that none can run here).</remarks>
    public Task Ready => _ready.Task;

    /// <summary>Creates the executor, discovers and verifies the languages, and starts the warm pool.</summary>
    public static async Task<SandboxCodeExecutor> StartAsync(
        SandboxExecutionOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var executor = new SandboxCodeExecutor(options, loggerFactory, timeProvider);
        try
        {
            await executor.InitializeAsync(cancellationToken);
            return executor;
        }
        catch
        {
            await executor.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Discovers the toolchains of the host (concurrently), verifies each with a hello world in the sandbox when
    /// <see cref="SandboxExecutionOptions.VerifyLanguages"/>, then starts the warm pool. Runs once; later calls return.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _initialized, 1) != 0)
        {
            return;
        }

        await DiscoverAndStartPoolAsync(cancellationToken);
        _ready.TrySetResult();
    }

    private async Task DiscoverAndStartPoolAsync(CancellationToken cancellationToken)
    {
        if (_runner.Isolation.Level == IsolationLevel.Unavailable)
        {
            LogNoLanguages(_logger, _runner.Isolation.ToString());
            Volatile.Write(ref _languages, Catalog.All.Select(l => Refused(l, null, null, null, _runner.Isolation.ToString())).ToArray());
            return;
        }

        // What a server killed with SIGKILL left (its runs' cgroups and directories) goes before anything new starts.
        await _runner.SweepLeftoversAsync(cancellationToken);
        var verdicts = await Task.WhenAll(Catalog.All.Select(l =>
            _options.Languages.Count == 0 || _options.Languages.Contains(l.Name, StringComparer.OrdinalIgnoreCase)
                ? DiscoverAsync(l, cancellationToken)
                : Task.FromResult<(DiscoveredLanguage?, LanguageVerdict)>((null, Refused(l, null, null, null, "not in Sandbox:Execution:Languages")))));
        var languages = verdicts.Select(v => v.Item1).OfType<DiscoveredLanguage>().ToArray();
        var byName = new Dictionary<string, DiscoveredLanguage>(StringComparer.Ordinal);
        foreach (var language in languages)
        {
            foreach (var name in language.Spec.Aliases.Prepend(language.Spec.Name))
            {
                byName.TryAdd(name, language);
            }
        }

        _byName = byName;
        Volatile.Write(ref _runtimes, languages.Select(l => l.Runtime).ToArray());
        Volatile.Write(ref _languages, verdicts.Select(v => v.Item2).ToArray());

        if (_options.WarmPool.Enabled && _options.WarmPool.MaxPerLanguage > 0)
        {
            var pooled = languages.Where(l => _options.WarmPool.Languages.Count == 0 || _options.WarmPool.Languages.Contains(l.Spec.Name, StringComparer.OrdinalIgnoreCase));
            var pool = new WarmPoolManager(_runner, _options.WarmPool, pooled.Select(PoolSpecOf), _time, _loggerFactory.CreateLogger<WarmPoolManager>());
            lock (_lifetime)
            {
                // Disposed while discovering (a host stopped during its start): no pool may outlive the executor.
                if (_disposed)
                {
                    return;
                }

                _pool = pool;
                pool.Start();
                // Prepared sandboxes are processes (they die with this one: --die-with-parent) but also cgroups and run
                // directories, which stay behind unless removed: an executor nobody disposed is disposed at exit.
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The language is not offered, or a file name or argument is not acceptable.</exception>
    public async Task<CodeExecutionResult> ExecuteAsync(CodeExecutionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_byName.TryGetValue(request.Language.Trim().ToLowerInvariant(), out var language))
        {
            throw new ArgumentException($"language '{request.Language}' is not available on this host", nameof(request));
        }

        var files = Files(language.Spec, request);
        return await ExecuteCoreAsync(language, files, request, useWarmPool: true, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The artifact of the one compile step is copied into each run's sandbox; runs use the warm pool.</remarks>
    /// <exception cref="ArgumentException">The language is not offered, or a file name or argument is not acceptable.</exception>
    public async Task<CodeBatchResult> ExecuteBatchAsync(
        CodeExecutionRequest request, IReadOnlyList<ReadOnlyMemory<byte>> stdins, int maxParallelRuns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdins);
        if (!_byName.TryGetValue(request.Language.Trim().ToLowerInvariant(), out var language))
        {
            throw new ArgumentException($"language '{request.Language}' is not available on this host", nameof(request));
        }

        var files = Files(language.Spec, request);
        var (compile, runFiles) = await CompileAsync(language, files, request.CompileLimits, cancellationToken);
        if (compile is { Verdict: not ExecutionVerdict.Ok })
        {
            return new CodeBatchResult(language.Spec.Name, language.Version, compile, []);
        }

        var entry = files[0].RelativePath;
        var args = request.Args ?? [];
        var runLimits = RunLimits(request.RunLimits, language.Spec);
        var runs = new StepResult[stdins.Count];
        await Parallel.ForAsync(
            0,
            stdins.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelRuns), CancellationToken = cancellationToken },
            async (i, token) => runs[i] = Step(await RunStepAsync(language, entry, args, stdins[i], runFiles, runLimits, useWarmPool: true, token), hideStdout: false));
        return new CodeBatchResult(language.Spec.Name, language.Version, compile, runs);
    }

    /// <inheritdoc />
    public IReadOnlyList<WarmPoolStats> GetPoolStats() => _pool?.Stats() ?? [];

    /// <summary>
    /// Stops the warm pool and kills every prepared sandbox, removing their cgroups and run directories. Runs in
    /// progress finish on their own. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        WarmPoolManager? pool;
        lock (_lifetime)
        {
            _disposed = true;
            pool = _pool;
        }

        if (pool is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            await pool.DisposeAsync();
        }

        await _runner.DrainCleanupsAsync();
    }

    /// <summary>For containers that dispose synchronously: blocks on <see cref="DisposeAsync"/> (shutdown only).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // Bounded: the process is exiting either way.
        _ = DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
    }

    private async Task<CodeExecutionResult> ExecuteCoreAsync(
        DiscoveredLanguage language, List<SandboxFile> files, CodeExecutionRequest request, bool useWarmPool, CancellationToken cancellationToken)
    {
        var spec = language.Spec;
        var entry = files[0].RelativePath;
        var args = request.Args ?? [];
        var (compile, runFiles) = await CompileAsync(language, files, request.CompileLimits, cancellationToken);
        if (compile is { Verdict: not ExecutionVerdict.Ok })
        {
            return new CodeExecutionResult(spec.Name, language.Version, compile, null);
        }

        var runLimits = RunLimits(request.RunLimits, language.Spec);
        var run = await RunStepAsync(language, entry, args, request.Stdin, runFiles, runLimits, useWarmPool, cancellationToken);
        return new CodeExecutionResult(spec.Name, language.Version, compile, Step(run, hideStdout: false));
    }

    /// <summary>
    /// The compile step of a compiled language (null for an interpreted one), and the files a run needs: the sources
    /// plus, when compiled, the artifact (which the compile sandbox wrote to its stdout).
    /// </summary>
    private async Task<(StepResult? Compile, IReadOnlyList<SandboxFile> RunFiles)> CompileAsync(
        DiscoveredLanguage language, List<SandboxFile> files, ExecutionLimits? requested, CancellationToken cancellationToken)
    {
        var spec = language.Spec;
        if (!spec.Compiled)
        {
            return (null, files);
        }

        var toolchain = language.Toolchain;
        var compiled = await _runner.RunAsync(
            new SandboxRequest(spec.CompileCommand(toolchain, files[0].RelativePath, files.Select(f => f.RelativePath).ToArray()), files, default, CompileLimits(requested, spec), toolchain.Binds, SandboxStep.Compile),
            cancellationToken);
        var compile = Step(compiled, hideStdout: compiled.Verdict == SandboxVerdict.Ok);
        return compiled.Verdict != SandboxVerdict.Ok
            ? (compile, files)
            : (compile, [.. files, new SandboxFile(Language.ArtifactFile, compiled.Stdout, spec.ArtifactExecutable)]);
    }

    private async Task<SandboxResult> RunStepAsync(
        DiscoveredLanguage language, string entry, IReadOnlyList<string> args, ReadOnlyMemory<byte> stdin, IReadOnlyList<SandboxFile> files,
        SandboxLimits limits, bool useWarmPool, CancellationToken cancellationToken)
    {
        var spec = language.Spec;
        var command = spec.RunCommand(language.Toolchain, entry, args, limits);
        if (useWarmPool && _pool is { } pool && pool.Has(spec.Name) && CanRunWarm(limits) && pool.TryTake(spec.Name) is { } sandbox)
        {
            SandboxResult? result;
            try
            {
                result = spec.InterpreterStub(language.Toolchain) is not null
                    ? await _runner.RunPreparedAsync(sandbox, files, SandboxStep.Run, limits, PythonBootstrap.GoLine(entry, args), stdin, cancellationToken)
                    : await _runner.RunPreparedAsync(
                        sandbox,
                        [.. files, new SandboxFile(Language.RunScriptFile, Encoding.UTF8.GetBytes("exec " + string.Join(' ', command.Select(Language.ShellQuote)) + "\n"))],
                        SandboxStep.Run, limits, "\n"u8.ToArray(), stdin, cancellationToken);
            }
            finally
            {
                pool.RunEnded();
            }

            if (result is not null)
            {
                return result;
            }

            pool.RecordFallback(spec.Name);
        }

        return await _runner.RunAsync(new SandboxRequest(command, files, stdin, limits, language.Toolchain.Binds), cancellationToken);
    }

    // Under reduced isolation the stub's rlimits (CPU, address space) were fixed when it started: only requests with the
    // default limits can use it. With cgroups the limits are applied at hand-out.
    private bool CanRunWarm(SandboxLimits limits) =>
        _runner.Isolation.Level == IsolationLevel.Full || (limits.CpuMs == _options.RunCpuMs && limits.MemoryMb == _options.RunMemoryMb);

    /// <summary>Finds the language's toolchain, asks its version, and runs a hello world through the sandbox.</summary>
    private async Task<(DiscoveredLanguage?, LanguageVerdict)> DiscoverAsync(Language spec, CancellationToken cancellationToken)
    {
        var (_, command, path, version) = await HostToolchains.ProbeAsync(spec, cancellationToken);
        if (path is null)
        {
            LogNotFound(_logger, spec.Name, spec.Candidates);
            return (null, Refused(spec, command, null, null, "no toolchain at " + string.Join(", ", spec.Candidates)));
        }

        if (version is null)
        {
            const string Reason = "its version command failed or printed no version";
            LogUnusable(_logger, spec.Name, path, Reason);
            return (null, Refused(spec, command, path, null, Reason));
        }

        var toolchain = await spec.LocateAsync(path, cancellationToken);
        var language = new DiscoveredLanguage(spec, toolchain, version);
        if (_options.VerifyLanguages)
        {
            var hello = new CodeExecutionRequest(spec.Name, [new CodeFile(spec.MainFile, Encoding.UTF8.GetBytes(spec.HelloWorld))]);
            var result = await ExecuteCoreAsync(language, Files(spec, hello), hello, useWarmPool: false, cancellationToken);
            if (result.Verdict != ExecutionVerdict.Ok || result.Run is null || !result.Run.Stdout.AsSpan().SequenceEqual("hello\n"u8))
            {
                var step = result.Run ?? result.Compile;
                var detail = $"{result.Verdict.ToWireName()}: {step?.Message} {Encoding.UTF8.GetString(step?.Stderr ?? []).Trim()}";
                var reason = "hello world in the sandbox failed (" + (detail.Length > 600 ? detail[..600] : detail) + ")";
                LogUnusable(_logger, spec.Name, path, reason);
                return (null, Refused(spec, command, path, version, reason));
            }
        }

        LogFound(_logger, spec.Name, version, path);
        return (language, new LanguageVerdict(spec.Name, command, path, version, Offered: true, Reason: null));
    }

    private static LanguageVerdict Refused(Language spec, string? command, string? path, string? version, string reason) =>
        new(spec.Name, command ?? Path.GetFileName(spec.Candidates[0]), path, version, Offered: false, reason);

    private PoolSpec PoolSpecOf(DiscoveredLanguage language)
    {
        var command = language.Spec.InterpreterStub(language.Toolchain) ?? ["/bin/sh", "-c", GenericStub];
        return new PoolSpec(language.Spec.Name, command, language.Toolchain.Binds, RunLimits(null, language.Spec));
    }

    private static List<SandboxFile> Files(Language spec, CodeExecutionRequest request)
    {
        if (request.Files is not { Count: > 0 })
        {
            throw new ArgumentException("at least one file is needed", nameof(request));
        }

        var files = new List<SandboxFile>(request.Files.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, index) in request.Files.Select((f, i) => (f, i)))
        {
            var name = string.IsNullOrEmpty(file.Name) && index == 0 ? spec.MainFile : file.Name;
            if (RunDirectory.Validate(name) is { } problem)
            {
                throw new ArgumentException(problem, nameof(request));
            }

            if (name.StartsWith(Language.ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"file names starting with '{Language.ReservedPrefix}' are reserved (got '{name}')", nameof(request));
            }

            if (!names.Add(name) || names.Any(n => n != name && (n.StartsWith(name + "/", StringComparison.Ordinal) || name.StartsWith(n + "/", StringComparison.Ordinal))))
            {
                throw new ArgumentException($"file '{name}' is given twice, or both as a file and a directory", nameof(request));
            }

            files.Add(new SandboxFile(name, file.Content));
        }

        if (spec.ValidateEntry(files[0].RelativePath) is { } entryProblem)
        {
            throw new ArgumentException(entryProblem, nameof(request));
        }

        if ((request.Args ?? []).Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("arguments must not contain NUL", nameof(request));
        }

        return files;
    }

    private SandboxLimits RunLimits(ExecutionLimits? requested, Language language) => new()
    {
        CpuMs = Math.Clamp(requested?.CpuMs ?? _options.RunCpuMs, 1, _options.MaxRunCpuMs),
        WallMs = Math.Clamp(requested?.WallMs ?? _options.RunWallMs, 1, _options.MaxRunWallMs),
        MemoryMb = Math.Clamp(requested?.MemoryMb ?? _options.RunMemoryMb, 8, Math.Max(8, _options.MaxRunMemoryMb)),
        CpuCores = _options.RunCpuCores,
        Pids = Math.Max(_options.Pids, language.Pids ?? 0),
        OutputBytes = _options.OutputBytes,
        FileSizeBytes = _options.FileSizeBytes,
        OpenFiles = _options.OpenFiles,
        TmpfsMb = _options.TmpfsMb,
    };

    private SandboxLimits CompileLimits(ExecutionLimits? requested, Language language) => new()
    {
        CpuMs = Math.Clamp(requested?.CpuMs ?? _options.CompileCpuMs, 1, _options.MaxCompileCpuMs),
        WallMs = Math.Clamp(requested?.WallMs ?? _options.CompileWallMs, 1, _options.MaxCompileWallMs),
        MemoryMb = Math.Clamp(requested?.MemoryMb ?? _options.CompileMemoryMb, 8, Math.Max(8, _options.MaxCompileMemoryMb)),
        CpuCores = _options.CompileCpuCores,
        Pids = Math.Max(_options.Pids, language.Pids ?? 0),
        OutputBytes = _options.ArtifactBytes,
        FileSizeBytes = Math.Max(_options.FileSizeBytes, _options.ArtifactBytes),
        OpenFiles = Math.Max(_options.OpenFiles, 256),
        TmpfsMb = _options.CompileTmpfsMb,
    };

    /// <summary>A step as the client sees it: output capped at <see cref="SandboxExecutionOptions.OutputBytes"/>; a successful compile step's stdout is the artifact, not shown.</summary>
    private StepResult Step(SandboxResult result, bool hideStdout)
    {
        var cap = _options.OutputBytes;
        var stdout = hideStdout ? [] : result.Stdout;
        return new StepResult(
            Verdict(result.Verdict), result.ExitCode, result.Signal, result.CpuMs, result.WallMs, result.MemoryKb,
            stdout.Length > cap ? stdout[..cap] : stdout,
            result.Stderr.Length > cap ? result.Stderr[..cap] : result.Stderr,
            result.StdoutTruncated || stdout.Length > cap,
            result.StderrTruncated || result.Stderr.Length > cap,
            result.Message);
    }

    private static ExecutionVerdict Verdict(SandboxVerdict verdict) => verdict switch
    {
        SandboxVerdict.Ok => ExecutionVerdict.Ok,
        SandboxVerdict.CompileError => ExecutionVerdict.CompileError,
        SandboxVerdict.RuntimeError => ExecutionVerdict.RuntimeError,
        SandboxVerdict.TimeLimitExceeded => ExecutionVerdict.TimeLimitExceeded,
        SandboxVerdict.MemoryLimitExceeded => ExecutionVerdict.MemoryLimitExceeded,
        SandboxVerdict.OutputLimitExceeded => ExecutionVerdict.OutputLimitExceeded,
        _ => ExecutionVerdict.InternalError,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Language {Language} {Version} ({Toolchain})")]
    private static partial void LogFound(ILogger logger, string language, string version, string toolchain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Language {Language}: no toolchain at {Candidates}")]
    private static partial void LogNotFound(ILogger logger, string language, IReadOnlyList<string> candidates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Language {Language} ({Toolchain}) is not offered: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string language, string toolchain, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No language is offered: {Isolation}")]
    private static partial void LogNoLanguages(ILogger logger, string isolation);
}

/// <summary>A language found on this host: its definition, where its toolchain is, and the version it reports.</summary>
internal sealed record DiscoveredLanguage(Language Spec, Toolchain Toolchain, string Version)
{
    public LanguageRuntime Runtime { get; } = new(Spec.Name, Version, Spec.Aliases, Spec.Compiled, Spec.MainFile, Toolchain.HostPath);
}
