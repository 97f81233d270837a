namespace Poddle.Core.Executions;

/// <summary>Where an execution is: waiting, running, done with a verdict, or failed in the host (internal_error).</summary>
public enum ExecutionStatus
{
    Queued,
    Processing,
    Completed,
    Failed,
}

/// <summary>
/// One submitted program and, once run, its result. The request (files, stdin, args, limits) is kept until the
/// result expires (<see cref="ExecutionOptions.ResultRetention"/>). Owned by a user, or anonymous (Piston API with
/// anonymous use on) and then only rate-limited by <see cref="RateKey"/>.
/// </summary>
public sealed class Execution
{
    public Guid Id { get; set; }

    /// <summary>The submitting user; null for anonymous Piston use.</summary>
    public Guid? OwnerId { get; set; }

    /// <summary>What per-client rate limits count: "user:{id}" or "ip:{address}".</summary>
    public required string RateKey { get; set; }

    /// <summary>"api" (POST /api/execution/submit) or "piston" (POST /api/v2/execute).</summary>
    public required string Source { get; set; }

    /// <summary>Canonical language name (python, c, ...).</summary>
    public required string Language { get; set; }

    /// <summary>The toolchain version that ran it; known once it ran.</summary>
    public string? Version { get; set; }

    public ExecutionStatus Status { get; set; }

    /// <summary>The source files as JSON ([{name, content}] with base64 content); the first is the entry point.</summary>
    public required string FilesJson { get; set; }

    public byte[] Stdin { get; set; } = [];

    /// <summary>Program arguments as a JSON array of strings.</summary>
    public string ArgsJson { get; set; } = "[]";

    public int CpuLimitMs { get; set; }

    public int WallLimitMs { get; set; }

    public int MemoryLimitMb { get; set; }

    /// <summary>Compile-step limits chosen by the client (Piston); the server's when null.</summary>
    public int? CompileCpuLimitMs { get; set; }

    public int? CompileWallLimitMs { get; set; }

    public int? CompileMemoryLimitMb { get; set; }

    /// <summary>The overall verdict's wire name (ok, compile_error, ...); null until done.</summary>
    public string? Verdict { get; set; }

    /// <summary>The steps' results as JSON (<see cref="StoredExecutionResult"/>); null until done.</summary>
    public string? ResultJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
